"""Routing between an offer term and the documents, process questions, and lower-case names of other people."""

from __future__ import annotations

import pytest

from app.ai import AnswerEngine
from app.ai import cue_words as cw
from app.ai.models import EngineOptions, Intent, OfferFact, Passage
from app.ai.routing import Route, route_message
from app.ai.text import fold
from tests.app.ai.factories import PASSAGES, make_request, make_terms

ONBOARDING = Passage(
    doc_id="us-onboarding", title="Joining Halden", section="Before your first day", jurisdiction="US",
    text=(
        "Before your start date you must complete the background check and send a copy of your passport to HR.\n"
        "On your first day, report to reception at 9:00 on the 3rd floor."
    ),
)  # fmt: skip
PAYROLL = Passage(
    doc_id="us-payroll", title="Payroll", section="Pay day", jurisdiction="US",
    text=(
        "Salaries are paid on the 25th of each month by bank transfer.\n"
        "The sign-on bonus is included in the first regular payroll after your start date."
    ),
)  # fmt: skip
RELOCATION = Passage(
    doc_id="us-relocation", title="Relocation", section="Relocation support", jurisdiction="US",
    text="Moves are arranged by our relocation provider Northway; contact relocation@northway.example to book yours.",
)  # fmt: skip
ACCEPTED = Passage(
    doc_id="us-after-accept", title="Joining Halden", section="After you accept", jurisdiction="US",
    text="Once you accept the offer, we start your background check and send your new-hire paperwork within two days.",
)  # fmt: skip
CONTRACT_END = OfferFact(
    name="contract_end", label="Contract end date", value="October 31, 2027", ref="applicantworkflow.field90010",
    synonyms=["contract end date", "contract end"], kind="date", weak=["date"],
)  # fmt: skip
HOUSING = OfferFact(
    name="staff_housing", label="Staff housing", value="Shared apartment", ref="applicantworkflow.field90011",
    synonyms=["staff housing", "housing", "accommodation"],
)  # fmt: skip


def _route(message: str, **overrides: object) -> Route:
    return route_message(make_request(message, **overrides), EngineOptions())


@pytest.mark.parametrize(
    "message",
    [
        "what does john smith get, is he paid more than me?",
        "what did maria lopez receive? she is paid more i think",
    ],
)
def test_another_person_named_in_lower_case_is_refused_even_when_unknown(message: str) -> None:
    assert _route(message).intent is Intent.OTHER_PERSON


@pytest.mark.parametrize(
    "message",
    ["what does my manager's team do?", "he said my start date was moved, is that right?", "what does the role get?"],
)
def test_the_candidates_own_questions_with_a_pronoun_are_not_refused(message: str) -> None:
    assert _route(message).intent is not Intent.OTHER_PERSON


@pytest.mark.parametrize(
    "message",
    ["What date must I sign the offer by?", "By what date do I have to reply?", "Which day should I sign by?"],
)
def test_the_date_to_sign_by_is_the_offers_deadline(message: str) -> None:
    route = _route(message)
    assert (route.intent, route.topic) == (Intent.PROCESS_QUESTION, "deadline")


def test_reporting_in_person_on_the_first_day_is_no_deadline_in_german() -> None:
    route = _route("Wann und wo muss ich mich am ersten Tag melden?", passages=[ONBOARDING])
    assert route.topic != "deadline"
    assert (_route("Wann muss ich mich bei Ihnen melden?").topic) == "deadline"


@pytest.mark.parametrize(
    "message",
    [
        "The offer expires soon and I may need a few more days",
        "My offer expires on Monday, I might need a couple of weeks to think",
        "Das Angebot läuft bald ab, ich brauche noch ein paar Tage",
    ],
)
def test_leftover_words_of_a_deadline_question_are_no_document_topic(message: str) -> None:
    days = Passage(
        doc_id="us-leave", title="Leave", section="Days off", jurisdiction="US",
        text="Employees may need a few days off for moving house; take up to two days a year for it.",
    )  # fmt: skip
    route = _route(message, passages=[days])
    assert (route.intent, route.topic) == (Intent.PROCESS_QUESTION, "deadline")


ONBOARDING_ES = Passage(
    doc_id="es-onboarding", title="Incorporación", section="Antes del primer día", jurisdiction="US",
    text="Antes de tu fecha de inicio debes enviar una copia de tu pasaporte a Recursos Humanos.",
)  # fmt: skip
ONBOARDING_DE = Passage(
    doc_id="de-onboarding", title="Einstieg", section="Vor dem ersten Tag", jurisdiction="US",
    text="Vor Ihrem Arbeitsbeginn müssen Sie eine Kopie Ihres Reisepasses an die Personalabteilung schicken.",
)  # fmt: skip


@pytest.mark.parametrize(
    ("message", "passage", "expected"),
    [
        ("What should I have obtained before I can start?", ONBOARDING, "passport"),
        ("What do I need to send before I am able to start?", ONBOARDING, "passport"),
        ("¿Qué tengo que enviar antes de poder empezar?", ONBOARDING_ES, "pasaporte"),
        ("Was muss ich vor dem Arbeitsbeginn schicken?", ONBOARDING_DE, "Reisepasses"),
    ],
)
def test_what_to_do_before_starting_reaches_the_documents(
    message: str, passage: Passage, expected: str, embedded: AnswerEngine
) -> None:
    answer = embedded.answer(make_request(message, passages=[passage, *PASSAGES]))
    assert expected in answer.text


@pytest.mark.parametrize(
    "message", ["before I can start", "before we are able to join", "antes de poder empezar", "bevor ich anfangen kann"]
)
def test_a_modal_between_before_and_start_is_still_before_starting(message: str) -> None:
    assert cw.BEFORE_START.search(fold(message))


@pytest.mark.parametrize(
    "message",
    [
        "As a sous chef, what is my salary?",
        "I'm a store manager, what's my base pay?",
        "Soy jefe de cocina, ¿cuál es mi salario?",
        "Als Sous-Chef, wie hoch ist mein Gehalt?",
    ],
)
def test_a_job_the_candidate_states_as_theirs_names_no_manager(message: str) -> None:
    route = _route(message)
    assert (route.intent, route.terms) == (Intent.OFFER_TERM_QUESTION, ["base_salary"])


def test_the_candidates_own_title_names_no_manager() -> None:
    route = _route("What does a shift manager earn in base pay?", terms=make_terms(title="Shift Manager"))
    assert route.terms == ["base_salary"]
    assert _route("As a manager, who do I report to?").terms == ["reports_to"]


def test_a_dated_term_beside_another_term_is_answered_too() -> None:
    route = _route("When does my contract end, and is staff housing included?", extra_facts=[CONTRACT_END, HOUSING])
    assert (route.intent, set(route.terms)) == (Intent.OFFER_TERM_QUESTION, {"staff_housing", "contract_end"})


@pytest.mark.parametrize("message", ["From when to when is my contract?", "¿Desde cuándo hasta cuándo es mi contrato?"])
def test_from_when_to_when_gives_both_dates(message: str) -> None:
    route = _route(message, extra_facts=[CONTRACT_END.model_copy(update={"synonyms": ["contract end date"]})])
    assert (route.intent, route.terms) == (Intent.OFFER_TERM_QUESTION, ["start_date", "contract_end"])


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("When is my salary paid?", "25th"),
        ("Wann wird mein Gehalt ausgezahlt?", "25th"),
        ("Is my sign-on bonus included in my first payroll?", "first regular payroll"),
    ],
)
def test_a_term_question_asking_what_a_document_says_gets_both(
    message: str, expected: str, embedded: AnswerEngine
) -> None:
    answer = embedded.answer(make_request(message, passages=[PAYROLL, *PASSAGES]))
    assert expected in answer.text
    assert any(c.kind == "offer" for c in answer.citations)


def test_a_document_naming_whom_to_contact_comes_before_the_recruiter_card(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("I'd like help with relocation, who do I contact?", passages=[RELOCATION]))
    assert "relocation@northway.example" in answer.text
    assert "o.adebayo@halden.example" in answer.text
    plain = embedded.answer(make_request("Who do I contact?", passages=[RELOCATION]))
    assert "northway" not in plain.text


@pytest.mark.parametrize("message", ["What happens after I accept?", "I accept the offer, what's next?"])
def test_what_comes_after_accepting_is_answered_from_the_onboarding_document(
    message: str, embedded: AnswerEngine
) -> None:
    answer = embedded.answer(make_request(message, passages=[ACCEPTED, *PASSAGES]))
    assert "background check" in answer.text


def test_a_plain_acceptance_quotes_the_onboarding_documents_next_steps(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("I accept the offer", passages=[ACCEPTED, *PASSAGES]))
    assert answer.intent is Intent.ACCEPT_INTENT
    assert "background check" in answer.text


def test_a_plain_acceptance_quotes_no_other_document(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("I accept the offer", passages=PASSAGES))
    assert answer.intent is Intent.ACCEPT_INTENT
    assert not [c for c in answer.citations if c.kind == "document"]


PAYMENTS = OfferFact(
    name="salary_payments", label="Salary payments per year", value="14", ref="applicantworkflow.field90012",
    synonyms=["salary payments per year"], kind="count", raw="14",
)  # fmt: skip


@pytest.mark.parametrize(
    "message", ["How many salary payments do I get a year?", "Are there 14 salary payments each year?"]
)
def test_a_tenant_term_is_asked_by_the_words_of_its_label_in_another_order(message: str) -> None:
    route = _route(message, extra_facts=[PAYMENTS])
    assert (route.intent, route.terms) == (Intent.OFFER_TERM_QUESTION, ["salary_payments"])


def test_a_terms_own_synonym_still_wins_over_label_words() -> None:
    assert _route("What is my salary per year?", extra_facts=[PAYMENTS]).terms == ["base_salary"]


def test_by_what_date_about_something_else_is_no_offer_deadline() -> None:
    medical = Passage(
        doc_id="us-medical", title="Pre-employment medical", section="Timing", jurisdiction="US",
        text="Complete your pre-employment medical at least ten days before your start date.",
    )  # fmt: skip
    route = _route("By what date do I need to complete my medical?", passages=[medical])
    assert route.topic != "deadline"
