"""Counter-offer extraction by rules: exact items for requests, and nothing at all for plain questions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from app.ai.counter import extract_counter_offer
from app.ai.models import OfferFact
from offer_engine.terms import OfferTerms, PayPeriod, Term, WorkArrangement
from tests.app.ai.factories import TODAY, gb_terms, make_terms

USD = make_terms()  # base 172,000 USD, sign-on 20,000, bonus 12%, 3,200 units, start 2027-03-08, hybrid, 22 days
GBP = gb_terms()  # base 96,000 GBP, start 2027-04-12

Expected = list[tuple[Term, Any, str | None]]

EXTRACTIONS: list[tuple[str, OfferTerms, Expected]] = [
    ("could you do 160k base and a 15k sign-on?", USD,
     [(Term.BASE_SALARY, Decimal(160000), "USD"), (Term.SIGN_ON_BONUS, Decimal(15000), "USD")]),
    ("I'd need to start on April 6", USD, [(Term.START_DATE, date(2027, 4, 6), None)]),
    ("another company offered 3,000 RSUs", USD, [(Term.EQUITY_UNITS, 3000, None)]),
    ("would £125,000 work?", GBP, [(Term.BASE_SALARY, Decimal(125000), "GBP")]),
    ("twelve thousand sign-on", USD, [(Term.SIGN_ON_BONUS, Decimal(12000), "USD")]),
    ("175 base", USD, [(Term.BASE_SALARY, Decimal(175000), "USD")]),
    ("fully remote", USD, [(Term.WORK_ARRANGEMENT, WorkArrangement.REMOTE, None)]),
    ("15% bonus target", USD, [(Term.BONUS_TARGET_PERCENT, Decimal(15), None)]),
    ("one hundred and sixty thousand base salary please", USD, [(Term.BASE_SALARY, Decimal(160000), "USD")]),
    ("Could you bump the base by 10k?", USD, [(Term.BASE_SALARY, Decimal(182000), "USD")]),
    ("I'd like 25 days of PTO", USD, [(Term.PTO_DAYS, 25, None)]),
    ("can we push the start date by two weeks?", USD, [(Term.START_DATE, date(2027, 3, 22), None)]),
    ("Could the title be Principal Firmware Engineer?", USD, [(Term.TITLE, "Principal Firmware Engineer", None)]),
    ("I currently make 180k, could you do 185k?", USD, [(Term.BASE_SALARY, Decimal(185000), "USD")]),
    ("I have an offer for 200k elsewhere, could you match it?", USD, [(Term.BASE_SALARY, Decimal(200000), "USD")]),
    ("¿Podrían subir el salario a 185.000?", USD, [(Term.BASE_SALARY, Decimal(185000), "USD")]),
    ("Necesito empezar el 6 de abril", USD, [(Term.START_DATE, date(2027, 4, 6), None)]),
    ("Otra empresa me ofreció 5.000 acciones", USD, [(Term.EQUITY_UNITS, 5000, None)]),
    ("Would you consider 190k base, 25k sign on, 4000 RSUs and a start on April 12?", USD,
     [(Term.BASE_SALARY, Decimal(190000), "USD"), (Term.SIGN_ON_BONUS, Decimal(25000), "USD"),
      (Term.EQUITY_UNITS, 4000, None), (Term.START_DATE, date(2027, 4, 12), None)]),
    ("I'd need $180,000 and fully remote", USD,
     [(Term.BASE_SALARY, Decimal(180000), "USD"), (Term.WORK_ARRANGEMENT, WorkArrangement.REMOTE, None)]),
    ("€150,000 would work for me", USD, [(Term.BASE_SALARY, Decimal(150000), "EUR")]),
    ("5k more on the sign-on would help", USD, [(Term.SIGN_ON_BONUS, Decimal(25000), "USD")]),
    ("start date of 2027-05-03 please", USD, [(Term.START_DATE, date(2027, 5, 3), None)]),
    ("Could I start on May 3 instead?", USD, [(Term.START_DATE, date(2027, 5, 3), None)]),
    ("I'm looking for a 15% bonus", USD, [(Term.BONUS_TARGET_PERCENT, Decimal(15), None)]),
    ("I'd want 30 days of vacation", USD, [(Term.PTO_DAYS, 30, None)]),
    ("a relocation package of $20,000 would help", USD, [(Term.RELOCATION, Decimal(20000), "USD")]),
    ("How about 185k base?", USD, [(Term.BASE_SALARY, Decimal(185000), "USD")]),
    ("What about an extra 5 days of PTO?", USD, [(Term.PTO_DAYS, 27, None)]),
    ("I'd need to start on January 5", USD, [(Term.START_DATE, date(2027, 1, 5), None)]),
    ("Could I start on November 20?", USD, [(Term.START_DATE, date(2027, 11, 20), None)]),  # before today: next year
    ("Could we do 10% more on base?", USD, [(Term.BASE_SALARY, Decimal(189200), "USD")]),
    ("I'd like a base of 110k and 30 days holiday allowance", GBP,
     [(Term.BASE_SALARY, Decimal(110000), "GBP"), (Term.PTO_DAYS, 30, None)]),
    ("Could you do 500 more RSUs?", USD, [(Term.EQUITY_UNITS, 3700, None)]),
    ("¿Podrían darme 2.500 acciones más?", USD, [(Term.EQUITY_UNITS, 5700, None)]),
    # German
    ("Könnten Sie das Grundgehalt auf 185.000 erhöhen?", USD, [(Term.BASE_SALARY, Decimal(185000), "USD")]),
    ("Ich hätte gerne 190.000 $", USD, [(Term.BASE_SALARY, Decimal(190000), "USD")]),
    ("Ich würde unterschreiben, wenn Sie mindestens 180.000 zahlen", USD,
     [(Term.BASE_SALARY, Decimal(180000), "USD")]),
    ("Ich möchte am 6. April anfangen", USD, [(Term.START_DATE, date(2027, 4, 6), None)]),
    ("Könnte ich am 3. Mai 2027 beginnen?", USD, [(Term.START_DATE, date(2027, 5, 3), None)]),
    ("Könnten Sie das Gehalt um 10.000 erhöhen?", USD, [(Term.BASE_SALARY, Decimal(182000), "USD")]),
    ("Ich hätte gerne hundertneunzigtausend Dollar", USD, [(Term.BASE_SALARY, Decimal(190000), "USD")]),
    ("Könnten Sie das Gehalt auf 185 Tausend anheben?", USD, [(Term.BASE_SALARY, Decimal(185000), "USD")]),
    ("Ich möchte komplett im Homeoffice arbeiten", USD, [(Term.WORK_ARRANGEMENT, WorkArrangement.REMOTE, None)]),
    ("Mein Gegenangebot: 185.000 $ und vollständig remote", USD,
     [(Term.BASE_SALARY, Decimal(185000), "USD"), (Term.WORK_ARRANGEMENT, WorkArrangement.REMOTE, None)]),
]  # fmt: skip


@pytest.mark.parametrize(("message", "terms", "expected"), EXTRACTIONS)
def test_counter_items_are_extracted_exactly(message: str, terms: OfferTerms, expected: Expected) -> None:
    proposal = extract_counter_offer(message, terms, TODAY)
    assert proposal is not None, message
    got = [(item.term, item.requested, item.currency) for item in proposal.items]
    assert got == expected
    for item in proposal.items:
        if item.term is not Term.OTHER:
            assert item.current == getattr(terms, item.key)


PLAIN_QUESTIONS = [
    "What's my salary?",
    "Is the sign-on negotiable?",
    "Is my base 172k?",
    "Is my base salary $172,000 per year?",
    "I'd like to know if the $20,000 sign-on is taxed",
    "What happens if I ask for 200k?",
    "How is the 12% bonus calculated?",
    "Can you confirm my start date is March 8?",
    "How much is 12% of my base?",
    "Is the role remote?",
    "When do I start?",
    "Do I get 22 days of PTO?",
    "How many RSUs are in my offer?",
    "Does the 3,200 RSU grant vest over 4 years?",
    "What's the 401(k) match, is it 5%?",
    "Is $750 the PPO deductible?",
    "What does the 14 weeks of parental leave include?",
    "Is the relocation of $12,500 paid upfront?",
    "When is the offer deadline, December 14?",
    "Could you tell me more about the bonus?",
    "Can you explain the vesting schedule?",
    "Will my salary be reviewed after 12 months?",
    "How do I accept the offer?",
    "What's the sign-on clawback if I leave within 12 months?",
    "Is the hybrid schedule 3 days in the office?",
    "Is the $20k sign-on paid in my first paycheck?",
    "Do other candidates get 200k?",
    "What's the weather like in April?",
    "If I accept, when do I get the $20,000?",
    "Thanks, 172k sounds good",
    "My start date is March 8, right?",
    "Can I get 5 days off in my first month?",
    "I want to understand my 3,200 RSUs",
    "¿Cuál es mi salario?",
    "¿Mi bono es del 12%?",
    "¿Cuándo empiezo, el 8 de marzo?",
    "¿Es negociable el bono de incorporación?",
    "Me gustaría saber cuánto es mi bono del 12%",
    "Does the 401k match 100% up to 5%?",
    "Is 2027 the first plan year?",
    "Wie hoch ist mein Gehalt?",
    "Wird mein Gehalt jährlich erhöht?",
    "Ist mein Grundgehalt 172.000 $?",
    "Ist das Gehalt mindestens 150.000?",
    "Ich möchte wissen, ob die Prämie von 20.000 $ versteuert wird",
    "Wann fange ich an, am 8. März?",
    "Was passiert, wenn ich 200.000 verlange?",
    "Könnten Sie mir sagen, ob 172.000 $ das Grundgehalt sind?",
]


HOURLY = make_terms(base_salary=Decimal("21.50"), pay_period=PayPeriod.HOUR, sign_on_bonus=None, relocation=None)
MONTHLY = make_terms(base_salary=Decimal(2400), pay_period=PayPeriod.MONTH, currency="EUR", jurisdiction="AT",
                     sign_on_bonus=None, relocation=None)  # fmt: skip


@pytest.mark.parametrize(
    ("message", "terms", "requested"),
    [
        ("Could you do $2 more an hour?", HOURLY, Decimal("23.50")),
        ("Can you add another $3 an hour?", HOURLY, Decimal("24.50")),
        ("¿Podrían darme 2 dólares más la hora?", HOURLY, Decimal("23.50")),
        ("Könnten Sie 1,50 € mehr pro Stunde zahlen?", HOURLY, Decimal("23.00")),
        ("I was hoping for $3/hr more", HOURLY, Decimal("24.50")),
        ("Would you add $2.50 an hour to the base rate?", HOURLY, Decimal("24.00")),
        ("Happy to accept if you can do $1 more per hour", HOURLY, Decimal("22.50")),  # 1, not 1,000
        ("Me encantaría aceptar si me suben 1,50 € la hora", HOURLY, Decimal("23.00")),
        ("Could you add 200 euros more a month?", MONTHLY, Decimal(2600)),
        ("¿Podrían subirme 100 euros más al mes?", MONTHLY, Decimal(2500)),
    ],
)
def test_a_raise_by_the_base_pays_own_period_is_a_raise_of_the_base(
    message: str, terms: OfferTerms, requested: Decimal
) -> None:
    """ "2 more an hour" on an hourly rate (or "200 more a month" on a monthly salary) is far below a salary-sized
    figure and names no term: the period it is paid by says it is the base pay."""
    proposal = extract_counter_offer(message, terms, TODAY)
    assert proposal is not None
    assert [(i.term, i.requested) for i in proposal.items] == [(Term.BASE_SALARY, requested)]


@pytest.mark.parametrize("message", PLAIN_QUESTIONS)
def test_a_plain_question_is_never_a_counter_offer(message: str) -> None:
    assert extract_counter_offer(message, USD, TODAY) is None


def test_a_competing_offer_is_recorded_with_the_rationale() -> None:
    proposal = extract_counter_offer(
        "Another company offered me 195k. Could you do 185k? The market rate is higher because of my experience.",
        USD,
        TODAY,
    )
    assert proposal is not None
    assert [(i.term, i.requested) for i in proposal.items] == [(Term.BASE_SALARY, Decimal(185000))]
    assert proposal.competing_offer is not None
    assert "195k" in proposal.competing_offer
    assert proposal.rationale is not None
    assert "market rate" in proposal.rationale


def test_items_equal_to_the_current_terms_are_dropped() -> None:
    assert extract_counter_offer("could you do 172k base and hybrid?", USD, TODAY) is None


def test_ask_json_shape() -> None:
    proposal = extract_counter_offer("could you do 180k base and start on April 6?", USD, TODAY)
    assert proposal is not None
    assert proposal.to_json() == {
        "items": [
            {"term": "base_salary", "current": 172000, "requested": 180000, "currency": "USD"},
            {"term": "start_date", "current": "2027-03-08", "requested": "2027-04-06", "currency": None},
        ],
        "rationale": None,
        "competing_offer": None,
    }


def test_a_german_competing_offer_is_recorded_with_the_rationale() -> None:
    proposal = extract_counter_offer(
        "Ein anderes Unternehmen hat mir 195.000 angeboten. Könnten Sie auf 185.000 gehen? Der Markt zahlt mehr.",
        USD,
        TODAY,
    )
    assert proposal is not None
    assert [(i.term, i.requested) for i in proposal.items] == [(Term.BASE_SALARY, Decimal(185000))]
    assert proposal.competing_offer is not None
    assert "195.000" in proposal.competing_offer
    assert proposal.rationale is not None
    assert "Markt" in proposal.rationale


@pytest.mark.parametrize(
    ("message", "item"),
    [
        ("with the move I'd need 185 to make it work", ("base_salary", Decimal(185000))),
        ("could the relocation be 15k?", ("relocation", Decimal(15000))),
    ],
)
def test_a_salary_sized_figure_beside_an_allowance_word_asks_for_the_salary(
    message: str, item: tuple[str, Decimal]
) -> None:
    proposal = extract_counter_offer(message, make_terms(), TODAY)
    assert proposal is not None
    assert [(i.key, i.requested) for i in proposal.items] == [item]


# Issue 12, item 5: counters in any phrasing. Invented data: a monthly-paid Austrian offer with a relocation
# allowance near a month's pay and 14 payments a year, an hourly US offer, and two tenant terms.
MONTHLY_RELO = make_terms(base_salary=Decimal(3200), pay_period=PayPeriod.MONTH, currency="EUR", jurisdiction="AT",
                          sign_on_bonus=None, relocation=Decimal(3000), work_arrangement="onsite")  # fmt: skip
NO_RELO = make_terms(base_salary=Decimal(3200), pay_period=PayPeriod.MONTH, currency="EUR", jurisdiction="AT",
                     sign_on_bonus=None, relocation=None)  # fmt: skip
GBP_RELO = make_terms(jurisdiction="GB", currency="GBP", base_salary=Decimal(96000), relocation=Decimal(3000))
HOURLY_18 = make_terms(base_salary=Decimal("18.50"), pay_period=PayPeriod.HOUR, sign_on_bonus=None, relocation=None)
ONSITE = make_terms(work_arrangement="onsite")
COMMUTE = OfferFact(name="commute_allowance", label="Commute allowance", value="€30 a month", ref="offer:commute",
                    synonyms=["fahrtkostenzuschuss", "commute allowance", "ayuda de transporte"], kind="money",
                    raw="30", negotiable=True)  # fmt: skip
PROBATION = OfferFact(name="probation_months", label="Probation period", value="6 months", ref="offer:probation",
                      synonyms=["probezeit", "probation", "periodo de prueba"], kind="duration", raw="6",
                      negotiable=True)  # fmt: skip
PAYMENTS = OfferFact(name="payments_a_year", label="Pagas al año", value="14", ref="offer:pagas", kind="count",
                     raw="14")  # fmt: skip
TENANT = [COMMUTE, PROBATION]

ANY_PHRASING: list[tuple[str, OfferTerms, list[tuple[str, Any]]]] = [
    # wishes and conditions
    ("Ein Fahrtkostenzuschuss von 50 Euro im Monat wäre toll, dann unterschreibe ich.", NO_RELO,
     [("commute_allowance", Decimal(50))]),
    ("A 30k sign-on would be great, then I'll sign", USD, [("sign_on_bonus", Decimal(30000))]),
    ("Firmaría si el salario fuera 3.500", NO_RELO, [("base_salary", Decimal(3500))]),
    # questions that ask for something
    ("lässt sich die Probezeit auf drei Monate reduzieren?", NO_RELO, [("probation_months", Decimal(3))]),
    ("ginge es, die Probezeit auf zwei Monate zu verkürzen?", NO_RELO, [("probation_months", Decimal(2))]),
    ("geht auch 3.500?", NO_RELO, [("base_salary", Decimal(3500))]),
    ("could I work remotely two days a week?", ONSITE, [("work_arrangement", WorkArrangement.HYBRID)]),
    ("could I work hybrid?", ONSITE, [("work_arrangement", WorkArrangement.HYBRID)]),
    ("can I get more PTO, like 28 days?", USD, [("pto_days", 28)]),
    ("can I get more PTO, like 5 days?", USD, [("pto_days", 27)]),  # asked for more: 5 below 22 is 5 more
    ("can I get more on base, like 5k?", USD, [("base_salary", Decimal(177000))]),
    ("Could relocation be topped up to £3,600?", GBP_RELO, [("relocation", Decimal(3600))]),
    ("Could relocation be 3,400?", MONTHLY_RELO, [("relocation", Decimal(3400))]),
    ("sign-on bumped to 30k?", USD, [("sign_on_bonus", Decimal(30000))]),
    ("I'd take it for 185k and a 25k sign-on", USD,
     [("base_salary", Decimal(185000)), ("sign_on_bonus", Decimal(25000))]),
    # Spanish imperatives
    ("subidme el sueldo hasta 3.600 y firmo", NO_RELO, [("base_salary", Decimal(3600))]),
    ("¿podéis subirme a 3.600?", NO_RELO, [("base_salary", Decimal(3600))]),
    # a raise as an increase, the amount in words
    ("two more dollars an hour would get me there", HOURLY_18, [("base_salary", Decimal("20.50"))]),
    ("one more dollar an hour and it's a deal", HOURLY_18, [("base_salary", Decimal("19.50"))]),
    ("another 2 bucks an hour would get me over the line", HOURLY_18, [("base_salary", Decimal("20.50"))]),
    ("one more dollar an hour and I'll accept", HOURLY_18, [("base_salary", Decimal("19.50"))]),
    # Spanish cents after "con"
    ("¿me lo dejáis en dieciocho dólares con setenta la hora?", HOURLY_18, [("base_salary", Decimal("18.70"))]),
    ("¿Podríais pagarme 19 con 50 la hora?", HOURLY_18, [("base_salary", Decimal("19.50"))]),
    # the right value for the right term
    ("relo seems low for a move with two kids, could it be 9,500?", USD, [("relocation", Decimal(9500))]),
    ("relo seems low for a family of four, could it be 9,500?", USD, [("relocation", Decimal(9500))]),
    ("I have three offers, could you do 190k?", USD, [("base_salary", Decimal(190000))]),
    ("I'd need a bigger moving allowance, say 16,500", USD, [("relocation", Decimal(16500))]),
    ("could the relocation be 3,600?", NO_RELO, [("relocation", Decimal(3600))]),
    ("Ein Umzugszuschuss von 2.000 Euro würde mich freuen, dann bin ich dabei", NO_RELO,
     [("relocation", Decimal(2000))]),
    ("I'd join the Stockholm team for 5k more", USD, [("base_salary", Decimal(177000))]),  # not "stock": equity
    # more wishes, and amounts written as words or with separators
    ("Un bono de incorporación de 2.000 sería genial, así firmo", NO_RELO, [("sign_on_bonus", Decimal(2000))]),
    ("Firmaría si me dierais 2.000 de bono de incorporación", NO_RELO, [("sign_on_bonus", Decimal(2000))]),
    ("I'd love a 25k sign-on", USD, [("sign_on_bonus", Decimal(25000))]),
    ("Could I do hybrid?", ONSITE, [("work_arrangement", WorkArrangement.HYBRID)]),
    ("can I get a bit more on base, like 185?", USD, [("base_salary", Decimal(185000))]),
    ("PTO bumped to 25?", USD, [("pto_days", 25)]),
    ("Could I get 19.75 an hour?", HOURLY_18, [("base_salary", Decimal("19.75"))]),
    ("a dollar more an hour would do it", HOURLY_18, [("base_salary", Decimal("19.50"))]),
    ("a couple more dollars an hour would get me there", HOURLY_18, [("base_salary", Decimal("20.50"))]),
    ("fifty cents more an hour and I'm in", HOURLY_18, [("base_salary", Decimal("19.00"))]),
    ("un euro más la hora y firmo", HOURLY_18, [("base_salary", Decimal("19.50"))]),
    ("einen Euro mehr pro Stunde, dann unterschreibe ich", HOURLY_18, [("base_salary", Decimal("19.50"))]),
    ("zwei Euro mehr die Stunde wären toll", HOURLY_18, [("base_salary", Decimal("20.50"))]),
    ("¿me lo dejáis en veinte con cincuenta?", HOURLY_18, [("base_salary", Decimal("20.50"))]),
    ("diecinueve euros con cincuenta céntimos la hora y firmo", HOURLY_18, [("base_salary", Decimal("19.50"))]),
    ("if you can do nineteen fifty an hour I'll sign", HOURLY_18, [("base_salary", Decimal("19.50"))]),
    ("Ginge auch ein Umzugszuschuss von 3.500?", MONTHLY_RELO, [("relocation", Decimal(3500))]),
    ("Könnte die Umzugspauschale auf 3.600 steigen?", MONTHLY_RELO, [("relocation", Decimal(3600))]),
    ("Firmaría si la hora fuera a 20", HOURLY_18, [("base_salary", Decimal(20))]),
]  # fmt: skip


@pytest.mark.parametrize(("message", "terms", "expected"), ANY_PHRASING)
def test_a_counter_is_read_in_any_phrasing(message: str, terms: OfferTerms, expected: list[tuple[str, Any]]) -> None:
    proposal = extract_counter_offer(message, terms, TODAY, TENANT)
    assert proposal is not None, message
    assert [(item.key, item.requested) for item in proposal.items] == expected


def test_a_figure_for_another_pay_period_is_not_the_base_pay() -> None:
    """ "20 la hora" beside a monthly salary names no monthly amount (neither 20 nor 20,000 a year divided)."""
    assert extract_counter_offer("¿me lo dejáis en 20 la hora?", NO_RELO, TODAY) is None


def test_a_yearly_figure_divides_into_the_payments_a_tenant_term_holds() -> None:
    """No payments configured, but the tenant's own "Pagas al año" term says 14: 52,000 a year is 3,714.29."""
    proposal = extract_counter_offer("necesitaría 52.000 € al año para firmar", NO_RELO, TODAY, [PAYMENTS])
    assert proposal is not None
    assert [(i.key, i.requested) for i in proposal.items] == [("base_salary", Decimal("3714.29"))]
    configured = extract_counter_offer("necesitaría 52.000 € al año para firmar", NO_RELO, TODAY, [], None, Decimal(12))
    assert configured is not None
    assert [(i.key, i.requested) for i in configured.items] == [("base_salary", Decimal("4333.33"))]


def test_a_tenant_term_without_a_value_is_asked_for_by_its_own_name() -> None:
    """The candidate has no commute allowance yet: asking for one names that term, not "other"."""
    absent = COMMUTE.model_copy(update={"raw": None, "value": ""})
    proposal = extract_counter_offer("Ein Fahrtkostenzuschuss von 50 Euro wäre toll", NO_RELO, TODAY, [absent])
    assert proposal is not None
    assert [(i.key, i.current, i.requested) for i in proposal.items] == [("commute_allowance", None, Decimal(50))]


NOT_COUNTERS = [
    "how much is relocation?",
    "Is the relocation topped up to £3,600 for families?",
    "could I work remotely sometimes?",
    "Can I work from home on Fridays?",
    "Can I get more PTO after 5 years?",
    "Can I get more information about the sign-on?",
    "Does the shuttle get me there by 9?",
    "Wäre ein Fahrtkostenzuschuss von 50 Euro möglich gewesen?",
    "Wäre ein Zuschuss von 50 Euro gut?",
    "Wird die Probezeit auf drei Monate verkürzt?",
    "Geht das Gehalt auch monatlich?",
    "Is there a Fahrtkostenzuschuss?",
    "¿Cuándo me suben el sueldo?",
    "¿En cuánto queda el bono?",
    "We moved with two kids last year, is relocation taxed?",
    "Could you tell me about the 2 relocation options?",
    "Is the sign-on negotiable?",
    "Tengo 2 hijos, ¿hay ayuda de transporte?",
    "I'd love to know if the relocation is 3,000",
    "Is the 50 cents an hour shift premium included?",
    "¿El bono de 2.000 se paga en la primera nómina?",
    "Does the 2,000 relocation include flights?",
    "Can I go to the office on Fridays?",
    "Wäre es Ihnen recht, wenn ich am Montag anrufe?",
    "Würde mich freuen, wenn Sie mir die Unterlagen schicken",
    "Un par de preguntas sobre el bono",
    "A couple of questions about the 25k sign-on",
    "could I get more than 10 days of PTO?",
    "¿Cuándo me lo dejan en 20 la hora?",
    "Could I work from home when I'm sick?",
    "Can I work remotely during the first 2 weeks?",
    "Is it a deal if I sign by Friday?",
    "What happens if I ask for one more dollar an hour?",
    "Could the relocation be paid in 2 installments?",
    "Can I get more details, like the 401k match?",
    "Is my base bumped to 180k after probation?",
    "Does the sign-on get topped up to 25k after a year?",
    "Wird das Gehalt nach 6 Monaten auf 3.500 erhöht?",
    "Ich habe zwei Kinder, gibt es einen Kinderzuschuss?",
    "We are a family of four, what does relocation cover?",
    "Can I go hybrid later, after 6 months?",
    "Geht das auch mit 2 Kindern?",
    "Wird die Umzugspauschale auf 3.600 steigen?",
    "Would it be OK to take 2 days off in my first month?",
    "¿Puedo tomarme 3 días libres en el primer mes?",
    "Kann ich im ersten Monat 2 Tage frei nehmen?",
]


@pytest.mark.parametrize("message", NOT_COUNTERS)
def test_a_question_beside_a_new_phrasing_is_never_a_counter(message: str) -> None:
    for terms in (USD, GBP_RELO, NO_RELO, HOURLY_18):
        assert extract_counter_offer(message, terms, TODAY, TENANT) is None, (message, terms.currency)


SHIFT = OfferFact(name="shift_differential", label="Night shift differential", value="$2.00 an hour", ref="offer:shift",
                  synonyms=["shift differential", "night differential", "shift premium", "nachtzuschlag",
                            "plus nocturno"], kind="money_rate", raw="2.00", negotiable=True)  # fmt: skip
MEAL = OfferFact(name="meal_allowance", label="Meal allowance", value="€6 a day", ref="offer:meal",
                 synonyms=["meal allowance", "essenszuschuss", "ticket restaurante"], kind="money", raw="6",
                 negotiable=True)  # fmt: skip


@pytest.mark.parametrize(
    ("message", "terms", "requested"),
    [
        ("Could the shift differential be bumped to $3 an hour?", HOURLY_18, ("shift_differential", Decimal(3))),
        ("a night differential of three dollars would be great, then I'll sign", HOURLY_18,
         ("shift_differential", Decimal(3))),
        ("one more dollar on the shift premium and it's a deal", HOURLY_18, ("shift_differential", Decimal(3))),
        ("El plus nocturno a 3 dólares y firmo", HOURLY_18, ("shift_differential", Decimal(3))),
        ("Geht auch ein Essenszuschuss von 8 Euro?", NO_RELO, ("meal_allowance", Decimal(8))),
        ("¿Podríais subirme el ticket restaurante a 8 euros?", NO_RELO, ("meal_allowance", Decimal(8))),
    ],
)  # fmt: skip
def test_a_tenant_term_is_asked_for_in_any_phrasing(
    message: str, terms: OfferTerms, requested: tuple[str, Decimal]
) -> None:
    proposal = extract_counter_offer(message, terms, TODAY, [SHIFT, MEAL])
    assert proposal is not None, message
    assert [(i.key, i.requested) for i in proposal.items] == [requested]


@pytest.mark.parametrize(
    "message",
    ["What's the shift differential?", "Is the meal allowance 6 euros a day?", "Is the night differential negotiable?",
     "Wie hoch ist der Essenszuschuss?", "¿El plus nocturno se paga aparte?"],
)  # fmt: skip
def test_a_question_about_a_tenant_term_is_never_a_counter(message: str) -> None:
    for terms in (HOURLY_18, NO_RELO):
        assert extract_counter_offer(message, terms, TODAY, [SHIFT, MEAL]) is None


def test_more_days_off_a_year_is_still_a_request_for_paid_time_off() -> None:
    proposal = extract_counter_offer("I'd like 25 days off a year instead of 22.", USD, TODAY)
    assert proposal is not None
    assert [(item.term, item.requested) for item in proposal.items] == [(Term.PTO_DAYS, 25)]
