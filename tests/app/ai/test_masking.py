"""PII masking: each kind of item, known and detected by pattern, restored in the reply; and a real-HTTP proof
that nothing unmasked reaches an external endpoint."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.ai import AnswerEngine
from app.ai.masking import Masker
from app.ai.models import Passage
from tests.app.ai.factories import CANDIDATE, MANAGER, RECRUITER, make_request, make_terms
from tests.support.fake_openai import FakeOpenAI, Reply


def masker() -> Masker:
    return Masker.for_people([CANDIDATE, RECRUITER, MANAGER])


@pytest.mark.parametrize(
    ("text", "secret", "token"),
    [
        ("I'm Ingrid Solberg-Vance.", "Ingrid Solberg-Vance", "[PERSON_1]"),
        ("ingrid solberg-vance here", "ingrid solberg-vance", "[PERSON_1]"),
        ("Thanks, Ingrid!", "Ingrid", "[PERSON_1_FIRST]"),
        ("Ms Solberg-Vance asked", "Solberg-Vance", "[PERSON_1_LAST]"),
        ("Ask Okonkwo Adebayo", "Okonkwo Adebayo", "[PERSON_2]"),
        ("Tomasz will be your manager", "Tomasz", "[PERSON_3_FIRST]"),
        ("Mail ingrid.sv@mailbox.example today", "ingrid.sv@mailbox.example", "[EMAIL_1]"),
        ("Call me on 512-555-0193", "512-555-0193", "[PHONE_1]"),
        ("Call me on (512) 555 0193", "(512) 555 0193", "[PHONE_1]"),
        ("I live at 88 Larkspur Terrace, Apt 4C in Austin", "88 Larkspur Terrace, Apt 4C", "[ADDRESS_1]"),
        ("My zip is 78704", "78704", "[ADDRESS_1]"),
        ("My birthday is 19 July 1991", "19 July 1991", "[DOB_1]"),
        ("born 1991-07-19", "1991-07-19", "[DOB_1]"),
        ("My SSN is 521-44-9087", "521-44-9087", "[ID_1]"),
    ],
)
def test_known_items_are_masked_and_restored(text: str, secret: str, token: str) -> None:
    m = masker()
    masked = m.mask(text)
    assert secret.lower() not in masked.lower()
    assert token in masked
    assert m.unmask(masked).lower() == text.lower()  # names come back in their canonical spelling


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("write to jo.bloggs@elsewhere.example", "jo.bloggs@elsewhere.example", "EMAIL"),
        ("ring +44 20 7946 0958", "+44 20 7946 0958", "PHONE"),
        ("my old number 303.555.0147", "303.555.0147", "PHONE"),
        ("SSN 078-05-1120", "078-05-1120", "ID"),
        ("NI number QQ 12 34 56 C", "QQ 12 34 56 C", "ID"),
        ("passport number X1234567", "X1234567", "ID"),
        ("I was born on 4 May 1988", "4 May 1988", "DOB"),
        ("date of birth: 1988-05-04", "1988-05-04", "DOB"),
        ("send it to 221 Baker Street please", "221 Baker Street", "ADDRESS"),
    ],
)
def test_unlisted_items_are_caught_by_pattern(text: str, secret: str, kind: str) -> None:
    m = masker()
    masked = m.mask(text)
    assert secret not in masked
    assert re.search(rf"\[{kind}_\d+\]", masked)
    assert m.unmask(masked) == text


def test_offer_figures_and_dates_are_not_masked() -> None:
    text = "Base salary $172,000, start date March 8, 2027, 22 days PTO, 2027-03-08."
    assert masker().mask(text) == text


def test_placeholders_are_stable_within_a_call() -> None:
    m = masker()
    first = m.mask("Ingrid Solberg-Vance, ingrid.sv@mailbox.example")
    second = m.mask("ingrid.sv@mailbox.example again, Ingrid Solberg-Vance")
    assert first == "[PERSON_1], [EMAIL_1]"
    assert second == "[EMAIL_1] again, [PERSON_1]"


def test_a_placeholder_typed_by_the_candidate_is_not_restored_into_data() -> None:
    m = masker()
    masked = m.mask("Who is [PERSON_2]? Okonkwo Adebayo told me to ask.")
    assert masked == "Who is (PERSON_2)? [PERSON_2] told me to ask."
    assert m.unmask(masked) == "Who is (PERSON_2)? Okonkwo Adebayo told me to ask."


def test_unknown_placeholders_are_reported() -> None:
    m = masker()
    m.mask("Ingrid")
    assert m.unknown_placeholders("Hi [PERSON_1_FIRST] and [PERSON_8]") == ["[PERSON_8]"]


SENSITIVE = [
    "Ingrid", "Solberg-Vance", "ingrid.sv@mailbox.example", "555-0193", "5125550193", "Larkspur", "78704",
    "1991", "521-44-9087", "Okonkwo", "Adebayo", "o.adebayo@halden.example", "Tomasz", "Wierzbicki",
    "QQ 12 34 56 C", "jo.bloggs@elsewhere.example", "7946 0958",
]  # fmt: skip
PII_MESSAGES = [
    "Hi, I'm Ingrid Solberg-Vance (SSN 521-44-9087). When do I start?",
    "Email me at ingrid.sv@mailbox.example: which health plans can I choose?",
    "My phone is +1 (512) 555-0193 and I live at 88 Larkspur Terrace, Apt 4C, 78704. Do I get relocation?",
    "I was born on 19 July 1991; how long is parental leave?",
    "Could you do 185k base? Okonkwo Adebayo said to ask you. My NI number is QQ 12 34 56 C.",
    "Who is my manager, Tomasz Wierzbicki? My friend jo.bloggs@elsewhere.example asked, call +44 20 7946 0958",
    "What is the 401(k) match? Ingrid here.",
]


def test_no_unmasked_item_reaches_the_endpoint(fake_llm: FakeOpenAI, llm_engine: AnswerEngine) -> None:
    fake_llm.responder = lambda request: Reply.text(
        '{"is_counter_offer": true, "items": [{"term": "base_salary", "requested": "185k", "currency": "USD"}]}'
        if request.body.get("response_format")
        else "Hi [PERSON_1_FIRST], here is what I found [F1]."
    )
    contact = Passage(
        doc_id="us-benefits-contacts",
        title="Benefits contacts",
        section="Help",
        text="For questions about the 401(k) match, write to o.adebayo@halden.example or call 512-555-0110.",
    )
    answers = []
    for message in PII_MESSAGES:
        request = make_request(message, passages=[*make_request("x").passages, contact])
        answers.append(llm_engine.answer(request))
    assert len(fake_llm.requests) == len(PII_MESSAGES)  # every message went out (the proof covers all kinds)
    sent = fake_llm.sent_text()
    leaked = [item for item in SENSITIVE if item.lower() in sent.lower()]
    assert leaked == []
    assert "[PERSON_1]" in sent
    assert "[EMAIL_" in sent
    assert "[PHONE_" in sent
    assert "[ID_" in sent
    assert any(a.text.startswith("Hi Ingrid,") for a in answers)  # restored in the reply


def test_masked_dates_of_birth_do_not_hide_offer_dates() -> None:
    m = Masker.for_people([CANDIDATE.model_copy(update={"date_of_birth": date(1991, 7, 19)})])
    assert m.mask("I start on March 8, 2027") == "I start on March 8, 2027"


def test_a_manager_named_only_in_the_terms_is_masked_too(fake_llm: FakeOpenAI, llm_engine: AnswerEngine) -> None:
    fake_llm.default = Reply.text("You will report to [PERSON_3] [F13].")
    request = make_request("Who will I report to?", hiring_manager=None, terms=make_terms(reports_to="Beatriz Quiroga"))
    answer = llm_engine.answer(request)
    assert "Quiroga" not in fake_llm.sent_text()
    assert answer.text == "You will report to Beatriz Quiroga."
