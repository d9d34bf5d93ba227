from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from prompts import PromptNotFoundError, all_prompts, load_prompt


def test_every_prompt_file_parses_with_a_version() -> None:
    prompts = all_prompts()
    assert prompts, "prompts/ holds no templates"
    for prompt in prompts:
        assert prompt.version >= 1
        assert prompt.text.strip()
        assert prompt.ref == f"{prompt.name}@{prompt.version}/{prompt.language}"


def test_language_falls_back_to_english() -> None:
    english = load_prompt("letter_narrative")
    assert load_prompt("letter_narrative", "fr-CA").ref == english.ref


def test_unknown_prompt_is_a_clear_error() -> None:
    with pytest.raises(PromptNotFoundError, match="no_such"):
        load_prompt("no_such")


def test_missing_variable_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        load_prompt("letter_narrative").render()


def test_a_regional_language_finds_its_base_language() -> None:
    assert load_prompt("greeting", "de-CH").ref == load_prompt("greeting", "de").ref
    assert load_prompt("greeting", "de").language == "de"
    assert load_prompt("letter_narrative", "de").language == "en"  # no German prompt: English
