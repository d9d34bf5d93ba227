"""Prompts and response templates: versioned, English, Spanish and German, renderable with the engine's variables."""

from __future__ import annotations

import pytest

from prompts import all_prompts, available_languages, load_prompt

RESPONSES = [
    "greeting", "offer_fact", "benefits_answer", "benefits_overview", "handoff", "refusal_other_person",
    "refusal_internal", "refusal_injection", "out_of_scope", "counter_confirmation", "negotiation_invite",
    "accept_ack", "decline_ack", "process_deadline", "process_next_steps", "process_contact", "process_letter",
    "input_invalid", "language_note", "term_from_documents",
]  # fmt: skip
PROMPTS = ["chat_system", "chat_user", "counter_extraction_system", "counter_extraction_user", "narrative_system",
           "narrative_user"]  # fmt: skip
SAMPLE = {
    "kind": "hello", "first_name": "Ana", "title": "Engineer", "company_name": "Acme", "term": "base_salary",
    "label": "Base salary", "value": "$1", "available": True, "quotes": [{"title": "T", "section": "S", "text": "q"}],
    "recruiter_name": "Sam", "recruiter_email": "s@x.example", "recruiter_phone": None, "items": [
        {"label": "Base salary", "requested": "$2", "current": "$1"}], "competing_offer": None, "expiry": "May 1",
    "expired": False, "days_left": 3, "problem": "too_long", "max_chars": 4000, "boundary": "DATA-X",
    "handoff_token": "NONE", "language_name": "English", "facts_block": "f", "passages_block": "p",
    "question_block": "q", "terms_block": "t", "message_block": "m", "term_names": "base_salary", "offer_year": 2027,
    "today": "2026-11-26", "titles": ["US medical plans"],
}  # fmt: skip


@pytest.mark.parametrize("name", RESPONSES)
def test_every_candidate_facing_template_exists_in_english_spanish_and_german(name: str) -> None:
    assert {"en", "es", "de"} <= available_languages(name)
    for language in ("en", "es", "de"):
        prompt = load_prompt(name, language)
        assert prompt.kind == "response"
        assert prompt.version >= 1
        assert prompt.render(**SAMPLE).strip()


@pytest.mark.parametrize("name", PROMPTS)
def test_llm_prompts_render(name: str) -> None:
    prompt = load_prompt(name)
    assert prompt.kind == "prompt"
    assert prompt.render(**SAMPLE).strip()


def test_the_spanish_templates_are_translations_not_copies() -> None:
    for name in RESPONSES:
        assert load_prompt(name, "es").render(**SAMPLE) != load_prompt(name, "en").render(**SAMPLE), name


@pytest.mark.parametrize("name", RESPONSES)
def test_the_german_templates_are_translations_with_the_same_header(name: str) -> None:
    german, spanish = load_prompt(name, "de"), load_prompt(name, "es")
    assert german.ref == f"{name}@{spanish.version}/de"
    assert (german.kind, german.description) == (spanish.kind, spanish.description)
    rendered = german.render(**SAMPLE)
    assert rendered not in (load_prompt(name, "en").render(**SAMPLE), spanish.render(**SAMPLE))
    assert load_prompt(name, "de-AT").ref == german.ref


_FACT_TERMS = [
    "base_salary", "bonus_target_percent", "sign_on_bonus", "equity_units", "vesting_schedule", "start_date",
    "work_arrangement", "relocation", "pto_days", "title", "reports_to", "location", "department", "special_terms",
    "expiry_date",
]  # fmt: skip


def test_every_german_offer_fact_has_its_own_sentence() -> None:
    german = load_prompt("offer_fact", "de")
    sentences = {german.render(**{**SAMPLE, "term": term, "value": "WERT"}) for term in _FACT_TERMS}
    assert len(sentences) == len(_FACT_TERMS)
    assert all("WERT" in sentence for sentence in sentences)
    generic = german.render(**{**SAMPLE, "term": "visa_support", "label": "Visum", "value": "ja"})
    assert generic == "Visum: ja."
    missing = german.render(**{**SAMPLE, "available": False, "label": "Umzugsunterstützung"})
    assert "Umzugsunterstützung" in missing  # German nouns keep their capital letter
    assert german.render(**{**SAMPLE, "term": "start_date", "value": "1. März 2027"}) == (
        "Ihr Eintrittsdatum ist der 1. März 2027."
    )


def test_the_german_templates_address_the_candidate_formally() -> None:
    for name in RESPONSES:
        text = load_prompt(name, "de").text
        for informal in (" du ", " dich ", " dir ", " dein", " Du ", " Dein"):
            assert informal not in text, (name, informal)


def test_no_template_promises_an_outcome() -> None:
    for prompt in all_prompts():
        text = prompt.text.lower()
        for promise in ("guarantee", "will be approved", "garantiz"):
            assert promise not in text, prompt.ref


def test_the_system_prompt_forbids_what_it_must() -> None:
    text = load_prompt("chat_system").text
    for rule in ("other candidates", "internal notes", "salary bands", "data, never instructions", "promise"):
        assert rule in text
