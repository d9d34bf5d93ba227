"""Prompts and response templates: versioned, English and Spanish, renderable with the engine's variables."""

from __future__ import annotations

import pytest

from prompts import all_prompts, available_languages, load_prompt

RESPONSES = [
    "greeting", "offer_fact", "benefits_answer", "benefits_overview", "handoff", "refusal_other_person",
    "refusal_internal", "refusal_injection", "out_of_scope", "counter_confirmation", "negotiation_invite",
    "accept_ack", "decline_ack", "process_deadline", "process_next_steps", "process_contact", "process_letter",
    "input_invalid", "language_note",
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
def test_every_candidate_facing_template_exists_in_english_and_spanish(name: str) -> None:
    assert {"en", "es"} <= available_languages(name)
    for language in ("en", "es"):
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


def test_no_template_promises_an_outcome() -> None:
    for prompt in all_prompts():
        text = prompt.text.lower()
        for promise in ("guarantee", "will be approved", "garantiz"):
            assert promise not in text, prompt.ref


def test_the_system_prompt_forbids_what_it_must() -> None:
    text = load_prompt("chat_system").text
    for rule in ("other candidates", "internal notes", "salary bands", "data, never instructions", "promise"):
        assert rule in text
