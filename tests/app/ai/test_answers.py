"""Embedded answers: exact figures formatted for the currency, Spanish, citations, passages, process, hand-offs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.ai import AnswerEngine, Intent
from tests.app.ai.factories import RECRUITER, UK_LEAVE, gb_terms, make_request, make_terms, salary_range_fact


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("What's my salary?", "Your base salary is $172,000 per year."),
        ("How much is my sign-on bonus?", "Your offer includes a sign-on bonus of $20,000."),
        ("What's my bonus target?", "Your annual bonus target is 12% of your base salary."),
        ("How many RSUs do I get?", "Your offer includes 3,200 equity units."),
        ("When do I start?", "Your start date is March 8, 2027."),
        ("Is the job remote?", "Your work arrangement is hybrid."),
        ("How much relocation support do I get?", "Your offer includes relocation support of $12,500."),
        ("How many vacation days do I have?", "You have 22 days of paid time off per year."),
        ("Who will I report to?", "You will report to Tomasz Wierzbicki."),
        ("What's my title?", "Your job title is Staff Firmware Engineer."),
    ],
)
def test_us_offer_facts(message: str, expected: str, embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request(message))
    assert answer.intent is Intent.OFFER_TERM_QUESTION
    assert answer.text == expected
    assert answer.citations
    assert answer.citations[0].kind == "offer"


def test_citations_name_the_source_field(embedded: AnswerEngine) -> None:
    (citation,) = embedded.answer(make_request("What's my salary?")).citations
    assert citation.ref == "applicantworkflow.field31001"
    assert citation.quote == "Base salary: $172,000 per year"
    assert citation.title == "Offer: Staff Firmware Engineer (version 2)"


@pytest.mark.parametrize(
    ("terms", "message", "figure"),
    [
        (gb_terms(), "What's my salary?", "£96,000 per year"),
        (gb_terms(), "When do I start?", "12 April 2027"),
        (make_terms(jurisdiction="DE", currency="EUR", base_salary=Decimal(84000)), "What's my salary?", "€84,000"),
        (make_terms(currency="CAD", jurisdiction="CA-ON"), "What's my salary?", "$172,000"),
        (make_terms(base_salary=Decimal("48.50"), pay_period="hour"), "What's my pay?", "$48.50 per hour"),
    ],
)
def test_figures_are_formatted_for_the_currency(
    terms: object, message: str, figure: str, embedded: AnswerEngine
) -> None:
    answer = embedded.answer(make_request(message, terms=terms))
    assert figure in answer.text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("¿Cuál es mi salario?", "Tu salario base es de $172,000 al año."),
        ("¿Cuándo empiezo?", "Tu fecha de inicio es el 8 de marzo de 2027."),
        ("¿Cuántos días de vacaciones tengo?", "Tienes 22 días de vacaciones pagadas al año."),
        ("¿Mi trabajo es remoto?", "Tu modalidad de trabajo es híbrida."),
    ],
)
def test_spanish_questions_get_spanish_answers(message: str, expected: str, embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request(message))
    assert answer.language == "es"
    assert answer.text == expected
    assert answer.prompt_refs == ["offer_fact@1/es"]


def test_spanish_money_in_spain_uses_spanish_grouping(embedded: AnswerEngine) -> None:
    terms = make_terms(jurisdiction="ES", currency="EUR", base_salary=Decimal(64000))
    assert "64.000" in embedded.answer(make_request("¿Cuál es mi sueldo?", terms=terms)).text


def test_a_term_the_offer_lacks_is_said_plainly_and_handed_off(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("What's my sign-on bonus?", terms=gb_terms()))
    assert "doesn't include sign-on bonus" in answer.text
    assert answer.handoff is True


def test_a_policy_permitted_range_is_answered_as_a_fact(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("What is the pay range for this role?", extra_facts=[salary_range_fact()]))
    assert answer.text == "Pay range for this role: $150,000 to $195,000."
    assert answer.citations[0].ref == "job.field30001-30002"


def test_benefits_answers_quote_the_sentence_that_answers(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("How long is parental leave?"))
    assert answer.intent is Intent.BENEFITS_QUESTION
    assert "14 weeks of parental leave at full base pay" in answer.text
    assert "Halden offers two medical plans" not in answer.text  # not the whole chunk, not another document
    assert answer.citations[0].kind == "document"
    assert answer.citations[0].ref == "us-parental#Paid parental leave"


def test_benefits_answers_can_quote_a_table_row(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("What is the deductible for the Halden HDHP?"))
    assert "Plan: Halden HDHP; Deductible: $2,000" in answer.text
    assert "Halden PPO; Deductible" not in answer.text


def test_only_the_passages_given_are_used(embedded: AnswerEngine) -> None:
    # the pipeline filters passages to the candidate's jurisdiction; the engine never adds any
    us = embedded.answer(make_request("How many weeks of maternity pay?"))
    assert "20 weeks" not in us.text
    gb = embedded.answer(make_request("How many weeks of maternity pay?", passages=[UK_LEAVE]))
    assert "20 weeks of enhanced maternity pay" in gb.text


def test_a_broad_benefits_question_lists_the_documents(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("What benefits do I get?"))
    assert answer.text.splitlines()[1:4] == ["- US health plans 2027", "- US parental leave", "- 401(k) plan"]


def test_an_unanswerable_benefits_question_is_handed_off(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("Is there a pet insurance benefit?"))
    assert answer.handoff is True
    assert "Shall I pass your question to Okonkwo Adebayo?" in answer.text


def test_process_answers(embedded: AnswerEngine) -> None:
    deadline = embedded.answer(make_request("When does my offer expire?"))
    assert deadline.text.startswith("Your offer is valid until December 14, 2026 (18 days from today).")
    assert deadline.citations[0].ref == "offer:expiry_date"
    contact = embedded.answer(make_request("How do I contact my recruiter?"))
    assert RECRUITER.emails[0] in contact.text
    assert "Okonkwo Adebayo" in contact.text
    steps = embedded.answer(make_request("What are the next steps?"))
    assert "confirm it with you" in steps.text
    expired = embedded.answer(make_request("What's the deadline?", today=date(2026, 12, 20)))
    assert "which has passed" in expired.text


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Where is my offer letter?"),
        ("es", "¿Dónde está mi carta de oferta?"),
        ("de", "Wo finde ich mein Angebotsschreiben?"),
    ],
)
def test_the_letter_answer_says_whether_a_letter_was_released(
    language: str, message: str, embedded: AnswerEngine
) -> None:
    attached = {
        "en": "attached to this conversation",
        "es": "adjunto a esta conversación",
        "de": "diesem Chat beigefügt",
    }[language]
    released = embedded.answer(make_request(message, letter_available=True))
    unreleased = embedded.answer(make_request(message))
    assert released.language == language
    assert attached in released.text
    assert attached not in unreleased.text
    assert "Okonkwo Adebayo" in unreleased.text


@pytest.mark.parametrize(
    ("message", "intent"),
    [("I accept the offer", Intent.ACCEPT_INTENT), ("I'm going to decline the offer", Intent.DECLINE_INTENT)],
)
def test_accept_and_decline_are_acknowledged_for_a_human(message: str, intent: Intent, embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request(message))
    assert answer.intent is intent
    assert "Okonkwo Adebayo will confirm" in answer.text


def test_counter_confirmation_shows_items_and_never_promises(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("Could you do 185k base and start on April 12?"))
    assert answer.intent is Intent.NEGOTIATION
    assert answer.counter_offer is not None
    assert "- Base salary: $185,000 (currently $172,000)" in answer.text
    assert "- Start date: April 12, 2027 (currently March 8, 2027)" in answer.text
    assert "I can't tell you the outcome in advance" in answer.text
    for promise in ("guarantee", "will be approved", "approved"):
        assert promise not in answer.text.lower()


def test_spanish_counter_confirmation(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("¿Podrían subir el salario base a 185.000?"))
    assert answer.language == "es"
    assert "- Salario base: $185,000 (actualmente $172,000)" in answer.text
    assert "No puedo adelantarte el resultado" in answer.text


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        ("", "your message was empty"),
        ("   \n\t ", "your message was empty"),
        ("x" * 4001, "4000 characters at most"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "plain text"),
        ("abc\x00\x01\x02\x03def", "plain text"),
    ],
)
def test_empty_huge_and_binary_messages_get_a_polite_reply(
    message: str | bytes, fragment: str, embedded: AnswerEngine
) -> None:
    answer = embedded.answer(make_request(message))
    assert answer.intent is Intent.INVALID_INPUT
    assert fragment in answer.text


def test_other_languages_get_english_with_a_note(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("Quel est mon salaire ?"))
    assert answer.detected_language == "other"
    assert answer.text.startswith("Your base salary is $172,000 per year.")
    assert "I answer in English or Spanish" in answer.text


def test_a_deadline_asked_beside_a_term_answers_both(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("What's my start date, and when do I need to respond by?"))
    kinds = {c.ref for c in answer.citations}
    assert "applicantworkflow.field31006" in kinds  # the start date's field
    assert len(answer.citations) == 2
