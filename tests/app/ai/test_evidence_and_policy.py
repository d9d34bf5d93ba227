"""Choosing the sentence that answers (headings as context, figures for amounts) and telling a question about a
company policy from one about the candidate's own offer terms."""

from __future__ import annotations

import pytest

from app.ai.engine import AnswerEngine
from app.ai.extractive import UNKNOWN_WORD_WEIGHT, best_evidence, content_terms
from app.ai.models import EngineOptions, Intent, Passage
from app.ai.routing import route_message
from tests.app.ai.factories import PASSAGES, gb_terms, make_request

PENSION = Passage(
    doc_id="gb-pension",
    title="UK workplace pension",
    section="Employer contribution",
    jurisdiction="GB",
    text=(
        "You are enrolled automatically in the first month of employment and may opt out within a month.\n"
        "Halden pays 7% of qualifying earnings into your pension pot each month."
    ),
)
BEREAVEMENT = Passage(
    doc_id="gb-leave",
    title="UK leave policy",
    section="Bereavement leave",
    jurisdiction="GB",
    text="You receive 5 days of paid leave when a close family member dies. Your manager can agree more time.",
)
CANTEEN = Passage(
    doc_id="gb-canteen",
    title="Staff canteen",
    section="Prices and discount",
    jurisdiction="GB",
    text=(
        "Meals are popular with most teams because the discount is generous.\n"
        "Every hot meal is sold at 60% of the public menu price."
    ),
)
SICK_PAY = Passage(
    doc_id="gb-sickness",
    title="UK sickness absence",
    section="Company sick pay",
    jurisdiction="GB",
    text=(
        "Company sick pay depends on your length of service.\n"
        "| Length of service | Full pay | Half pay |\n|---|---|---|\n"
        "| First year | 3 weeks | 3 weeks |\n| After one year | 8 weeks | 8 weeks |"
    ),
)
BONUS_POLICY = Passage(
    doc_id="bonus",
    title="Bonus and sign-on bonus rules",
    section="When bonuses are paid",
    text="Annual bonuses are paid in the April payroll after the year they cover ends.",
)
SIGN_ON_POLICY = Passage(
    doc_id="bonus",
    title="Bonus and sign-on bonus rules",
    section="Sign-on bonus",
    text="A sign-on bonus is paid with your second payroll; leaving within a year means repaying $9,000 or less.",
)
HYBRID_POLICY = Passage(
    doc_id="hybrid",
    title="Hybrid working",
    section="Office days",
    text="Hybrid employees come to the office on Mondays and Thursdays, our team days.",
)
PROBATION = Passage(
    doc_id="gb-probation",
    title="Probation",
    section="Length of probation",
    jurisdiction="GB",
    text="New joiners complete a probationary period of 4 months before their contract is confirmed.",
)


def _best(question: str, passages: list[Passage]) -> str:
    evidence = best_evidence(question, passages, limit=1)
    assert evidence, question
    return evidence[0].text


def test_a_sections_heading_counts_for_every_sentence_under_it() -> None:
    assert "7% of qualifying earnings" in _best("How much is the employer contribution?", [PENSION, BEREAVEMENT])


def test_how_long_asks_for_an_amount_and_is_not_a_topic_word() -> None:
    assert "5 days" in _best("How long is bereavement leave?", [BEREAVEMENT, PENSION])


def test_an_amount_question_prefers_the_sentence_with_the_figure() -> None:
    assert "60%" in _best("What discount does the canteen give?", [CANTEEN, PENSION])


def test_a_table_row_is_read_with_its_sections_heading() -> None:
    assert "3 weeks" in _best("What is company sick pay in the first year?", [SICK_PAY, PENSION])


def test_a_token_like_401k_stays_one_word() -> None:
    terms = content_terms("What is the 401(k) match?")
    assert "retirement" in terms
    assert "k" not in terms


CLOSURES = Passage(
    doc_id="de-closures",
    title="Office closure days",
    section="Closure days 2027",
    jurisdiction="DE",
    text=(
        "| Closure day | Date in 2027 |\n| --- | --- |\n| Carnival closure day | Monday 8 February |\n"
        "| Summer closure day | Friday 13 August |\n| Year-end closure day | Friday 31 December |\n\n"
        "The offices close on three closure days a year, in addition to public holidays."
    ),
)


@pytest.mark.parametrize("question", ["How many closure days are there?", "¿Cuántos closure days hay?"])
def test_how_many_is_answered_by_the_unit_that_counts_the_thing_not_by_dated_rows(question: str) -> None:
    assert "three closure days a year" in _best(question, [CLOSURES])


def test_without_a_unit_that_counts_the_thing_any_figure_may_answer() -> None:
    rows_only = CLOSURES.model_copy(update={"text": CLOSURES.text.split("\n\n")[0]})
    assert "Date in 2027" in _best("How many closure days are there?", [rows_only])


def test_no_passage_sharing_the_question_is_still_no_evidence() -> None:
    assert best_evidence("How long is jury duty leave?", [CANTEEN, PENSION]) == []


def _route(message: str, passages: list[Passage] | None = None) -> Intent:
    request = make_request(message, terms=gb_terms(), passages=passages or [])
    return route_message(request, EngineOptions()).intent


@pytest.mark.parametrize(
    ("message", "passages", "intent"),
    [
        ("How much holiday is in my offer?", [], Intent.OFFER_TERM_QUESTION),
        ("How many holidays do I get?", [], Intent.OFFER_TERM_QUESTION),
        ("How many public holidays are there?", [], Intent.BENEFITS_QUESTION),
        ("Am I working remotely?", [], Intent.OFFER_TERM_QUESTION),
        ("When is the annual bonus paid?", [BONUS_POLICY], Intent.BENEFITS_QUESTION),
        ("What's my annual bonus?", [BONUS_POLICY], Intent.OFFER_TERM_QUESTION),
        ("When is the annual bonus paid?", [], Intent.OFFER_TERM_QUESTION),
        ("Which days do hybrid employees come to the office?", [HYBRID_POLICY], Intent.BENEFITS_QUESTION),
        ("Is my role hybrid?", [HYBRID_POLICY], Intent.OFFER_TERM_QUESTION),
        ("How long is the probation period?", [], Intent.BENEFITS_QUESTION),
        ("What is the notice period?", [], Intent.BENEFITS_QUESTION),
        ("What are other product designers in Leeds paid?", [], Intent.OTHER_PERSON),
        ("What do people like me earn here?", [], Intent.OTHER_PERSON),
        ("Are there other perks for staff?", [], Intent.BENEFITS_QUESTION),
        ("What's the maximum you're allowed to offer me?", [], Intent.INTERNAL_INFO),
        ("What is the most the company is able to pay?", [], Intent.INTERNAL_INFO),
        ("Who has to approve my offer?", [], Intent.INTERNAL_INFO),
    ],
)
def test_policy_and_own_term_questions_route_apart(message: str, passages: list[Passage], intent: Intent) -> None:
    assert _route(message, passages) is intent


def test_the_new_cues_never_read_a_counter_offer() -> None:
    for message in ("What's the maximum you're allowed to offer me?", "How much holiday is in my offer?"):
        route = route_message(make_request(message, terms=gb_terms()), EngineOptions())
        assert route.counter is None
        assert route.intent is not Intent.NEGOTIATION


def test_asking_for_a_term_the_offer_lacks_says_so_without_quoting_policy(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("Do I get a sign-on bonus?", terms=gb_terms(), passages=[SIGN_ON_POLICY]))
    assert "doesn't include sign-on bonus" in answer.text
    assert "$" not in answer.text
    assert answer.handoff is True


def test_how_a_term_works_in_general_is_still_explained_from_the_documents(embedded: AnswerEngine) -> None:
    answer = embedded.answer(
        make_request("How does the sign-on bonus work?", terms=gb_terms(), passages=[SIGN_ON_POLICY])
    )
    assert "second payroll" in answer.text


def test_a_probation_question_is_answered_from_the_passage(embedded: AnswerEngine) -> None:
    passages = [PENSION, PROBATION, BEREAVEMENT]
    answer = embedded.answer(make_request("How long is probation?", terms=gb_terms(), passages=passages))
    assert answer.intent is Intent.BENEFITS_QUESTION
    assert "4 months" in answer.text


def test_a_spanish_question_about_a_missing_term_says_so(embedded: AnswerEngine) -> None:
    request = make_request("¿Tengo bono de incorporación?", terms=gb_terms(), passages=[SIGN_ON_POLICY])
    answer = embedded.answer(request)
    assert "no incluye" in answer.text
    assert "$" not in answer.text


DRESS = Passage(
    doc_id="store-handbook",
    title="Store handbook",
    section="Dress code",
    text="Associates wear the store apron on shift. Dark denim is fine on the sales floor.",
)


def test_a_sentence_close_in_meaning_answers_even_in_other_words() -> None:
    question = "can i wear jeans at work"
    assert best_evidence(question, [DRESS]) == []  # no shared word: words alone find nothing
    units = {"Associates wear the store apron on shift.": 0.31, "Dark denim is fine on the sales floor.": 0.64}
    found = best_evidence(question, [DRESS.model_copy(update={"unit_similarity": units})])
    assert [e.text for e in found] == ["Dark denim is fine on the sales floor."]


def test_similarity_below_the_floor_changes_nothing() -> None:
    question = "what does the handbook say about the apron"
    plain = best_evidence(question, [DRESS])
    units = {"Associates wear the store apron on shift.": 0.40, "Dark denim is fine on the sales floor.": 0.44}
    assert best_evidence(question, [DRESS.model_copy(update={"unit_similarity": units})])[0].text == plain[0].text


PARENTAL = Passage(
    doc_id="parental",
    title="Parental leave",
    section="Paid parental leave",
    text="Every parent with 60 days of service receives 14 weeks of paid parental leave at full base pay.",
)
LEAVE_POLICY = Passage(
    doc_id="leave",
    title="Leave policy",
    section="Paid time off",
    text="Paid time off accrues at 1 hour for every 30 hours worked. Up to 40 hours carry over into the next year.",
)


def test_a_question_about_a_term_and_its_rule_gets_both_the_offer_and_the_document(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("When is my sign-on bonus paid?", passages=[PARENTAL, SIGN_ON_POLICY]))
    assert "$20,000" in answer.text  # the offer's amount
    assert "second payroll" in answer.text  # the policy's rule
    assert {c.kind for c in answer.citations} == {"offer", "document"}


def test_a_common_word_left_over_never_pulls_in_an_unrelated_passage(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("When is my sign-on bonus paid?", passages=[PARENTAL]))
    assert "$20,000" in answer.text
    assert "parental" not in answer.text.lower()


def test_a_policy_entitlement_the_offer_lacks_is_answered_from_the_documents(embedded: AnswerEngine) -> None:
    terms = gb_terms().model_copy(update={"pto_days": None})
    answer = embedded.answer(make_request("how much pto do i get?", terms=terms, passages=[PARENTAL, LEAVE_POLICY]))
    assert answer.text.startswith("Your offer does not state paid time off")
    assert "1 hour for every 30 hours worked" in answer.text
    assert not answer.handoff


HOLIDAY_BY_AGE = Passage(
    doc_id="ch-holiday",
    title="Ferien",
    section="Ferienanspruch nach Alter",
    text="| Alter | Ferientage |\n|---|---|\n| unter 20 | 27 |\n| 20 bis 49 | 25 |\n| ab 50 | 30 |",
)


@pytest.mark.parametrize(
    ("question", "row"),
    [
        ("ich bin 52, wie viele ferientage habe ich?", "Alter: ab 50; Ferientage: 30"),
        ("Ich bin 35 Jahre alt. Wie viele Ferientage bekomme ich?", "Alter: 20 bis 49; Ferientage: 25"),
    ],
)
def test_the_row_whose_band_holds_the_figure_the_question_gives_is_chosen(question: str, row: str) -> None:
    found = best_evidence(question, [*PASSAGES, HOLIDAY_BY_AGE], limit=1)
    assert [e.text for e in found] == [row]


def test_a_german_compound_finds_the_words_a_document_writes_apart() -> None:
    leave = Passage(
        doc_id="de-leave",
        title="Sonderurlaub",
        section="Anlässe",
        text="Für die eigene Hochzeit gibt es zwei Tage Sonderurlaub. Beim Umzug gibt es einen Tag.",
    )
    found = best_evidence("wie viele sonderurlaubstage bei hochzeit?", [*PASSAGES, leave], limit=1)
    assert [e.text for e in found] == ["Für die eigene Hochzeit gibt es zwei Tage Sonderurlaub."]


def test_a_passage_close_in_meaning_answers_by_its_closest_sentence_when_words_do_not_match(
    embedded: AnswerEngine,
) -> None:
    units = {"Associates wear the store apron on shift.": 0.41, "Dark denim is fine on the sales floor.": 0.52}
    close = DRESS.model_copy(update={"unit_similarity": units, "similarity": 0.58})
    answer = embedded.answer(make_request("am I allowed to show up in jeans", passages=[close]))
    assert answer.intent is Intent.BENEFITS_QUESTION
    assert "Dark denim is fine on the sales floor." in answer.text


def test_a_passage_the_search_found_only_loosely_is_never_quoted(embedded: AnswerEngine) -> None:
    units = {"Associates wear the store apron on shift.": 0.41, "Dark denim is fine on the sales floor.": 0.52}
    loose = DRESS.model_copy(update={"unit_similarity": units, "similarity": 0.31})
    answer = embedded.answer(make_request("am I allowed to show up in jeans", passages=[loose]))
    assert "denim" not in answer.text


def test_one_thing_named_two_ways_meets_in_question_and_document() -> None:
    rules = Passage(
        doc_id="leave",
        title="Annual leave",
        section="Carrying leave forward",
        text="Annual leave is booked through the portal. Up to five days may be carried forward into the next year.",
    )
    found = best_evidence("can I roll over unused holiday days?", [*PASSAGES, rules], limit=2)
    assert "Up to five days may be carried forward into the next year." in [e.text for e in found]


def test_a_german_compound_is_read_by_its_head_noun() -> None:
    leave = Passage(
        doc_id="de-leave",
        title="Urlaub",
        section="Anspruch",
        text="Der Erholungsurlaub beträgt 30 Arbeitstage im Kalenderjahr. Bitte planen Sie ihn früh.",
    )
    found = best_evidence("wie viel Urlaub habe ich im Jahr?", [*PASSAGES, leave], limit=1)
    assert found
    assert found[0].text.startswith("Der Erholungsurlaub beträgt 30 Arbeitstage")


def test_a_sentence_that_points_back_is_quoted_with_the_one_it_points_to() -> None:
    allowance = Passage(
        doc_id="car",
        title="Company car allowance",
        section="Allowance",
        text="Senior staff receive a monthly car allowance. It is paid with the salary and is taxable.",
    )
    found = best_evidence("is the car allowance taxable?", [*PASSAGES, allowance], limit=1)
    assert [e.text for e in found] == [
        "Senior staff receive a monthly car allowance. It is paid with the salary and is taxable."
    ]


def test_what_a_term_question_asks_beyond_the_value_is_handed_off_when_no_document_says(
    embedded: AnswerEngine,
) -> None:
    answer = embedded.answer(make_request("When is my sign-on bonus paid?", passages=[PARENTAL]))
    assert "$20,000" in answer.text
    assert answer.handoff  # the payment date is nowhere in the grounding: the recruiter answers it


def test_a_plain_value_question_needs_no_hand_off(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("How much is my sign-on bonus?", passages=[PARENTAL]))
    assert "$20,000" in answer.text
    assert not answer.handoff


def test_a_term_question_in_other_words_than_its_policy_is_answered_by_the_closest_sentence(
    embedded: AnswerEngine,
) -> None:
    policy = Passage(
        doc_id="sign-on",
        title="Sign-on bonus policy",
        section="Sign-on bonus",
        text="A sign-on bonus is a one-off award. Leavers within a year return it in full to the company.",
        unit_similarity={
            "A sign-on bonus is a one-off award.": 0.41,
            "Leavers within a year return it in full to the company.": 0.58,
        },
    )
    answer = embedded.answer(make_request("Do I owe my sign-on bonus if I quit early?", passages=[policy]))
    assert "$20,000" in answer.text
    assert "Leavers within a year return it in full" in answer.text
    assert not answer.handoff


def test_a_sentence_two_overlapping_chunks_both_hold_is_quoted_once() -> None:
    sentence = "The canteen is open from 7:00 to 15:00 on weekdays."
    first = Passage(doc_id="site", title="Site guide", section="Canteen", text=f"Hot meals are served. {sentence}")
    second = Passage(doc_id="site", title="Site guide", section="Canteen", text=f"{sentence} Card payment only.")
    evidence = best_evidence("When is the canteen open?", [first, second], limit=2)
    assert [e.text for e in evidence].count(sentence) == 1


def test_a_typo_of_a_documents_word_does_not_block_the_sentence_that_shares_the_rest() -> None:
    passage = Passage(
        doc_id="site",
        title="Site rules",
        section="Smoking",
        text="Smoking and e-cigarettes are allowed only in the marked shelter by the car park. Visitors sign in.",
    )
    question = "is smokng allowd in the shelter"  # typos of the documents' words
    assert not best_evidence(question, [passage, *PASSAGES])  # at full weight they block it
    evidence = best_evidence(question, [passage, *PASSAGES], unknown_weight=UNKNOWN_WORD_WEIGHT)
    assert evidence
    assert "marked shelter" in evidence[0].text


def test_a_topic_no_document_has_keeps_its_full_weight() -> None:
    offices = [
        Passage(doc_id=f"office-{i}", title="Our offices", section="Offices", text=text)
        for i, text in enumerate(
            [
                "Office: San Francisco | Address: 500 Howard Street",
                "San Francisco employees get 72 hours of sick leave.",
                "Our San Francisco office is open 8 a.m. to 7 p.m.",
            ]
        )
    ]
    question = "What's the weather in San Francisco tomorrow?"  # "weather" is near no word of the documents
    assert not best_evidence(question, [*offices, *PASSAGES], unknown_weight=UNKNOWN_WORD_WEIGHT)
