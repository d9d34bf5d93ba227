"""The [vocabulary] configuration key: a tenant's further language or jargon, checked when the settings load."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from app.ai.extractive import bridge_words, content_terms, use_vocabulary
from app.config import ConfigError, load_settings
from app.pipeline import AnswerPipeline
from app.vocabulary import builtin_vocabulary


def config_with(tmp_path: Path, vocabulary: str) -> Path:
    config = tmp_path / "conf" / "offer-assistant.toml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(vocabulary, encoding="utf-8")
    return config


def test_extra_files_are_read_relative_to_the_config_file(tmp_path: Path) -> None:
    config = config_with(tmp_path, '[vocabulary]\nextra_files = ["words/fr.toml"]\n')
    (config.parent / "words").mkdir()
    (config.parent / "words" / "fr.toml").write_text('language = "fr"\n[words]\nconges = "vacation"\n')
    settings = load_settings(config)
    assert settings.vocabulary.extra_files == [(config.parent / "words" / "fr.toml").resolve()]
    assert settings.vocabulary_tables.words["conges"] == "vacation"
    assert "fr" in settings.vocabulary_tables.languages


def test_inline_entries_need_no_file(tmp_path: Path) -> None:
    config = config_with(
        tmp_path, '[[vocabulary.inline]]\nlanguage = "en"\nwords = { recharge = "vacation", tp = "vacation" }\n'
    )
    tables = load_settings(config).vocabulary_tables
    assert tables.words["recharge"] == "vacation"
    assert tables.words["urlaub"] == "vacation"  # the built-in words stay


def test_without_the_key_the_builtin_vocabulary_is_used(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.vocabulary_tables.languages == ("en", "de", "es")


@pytest.mark.parametrize(
    ("vocabulary", "message"),
    [
        ('[vocabulary]\nextra_file = ["fr.toml"]\n', "extra_file"),
        ('[vocabulary]\nextra_files = ["nowhere.toml"]\n', "nowhere.toml cannot be read"),
        ('[[vocabulary.inline]]\nlanguage = "en"\nwords = { "Holibobs" = "vacation" }\n', "'Holibobs'"),
        ('[[vocabulary.inline]]\nlanguage = "en"\nwords = { pto = "sick" }\n', "words.pto = 'sick'"),
        ('[[vocabulary.inline]]\nlanguage = "en"\nwordz = { pto = "vacation" }\n', "wordz"),
    ],
)
def test_a_bad_vocabulary_stops_start_up_naming_the_entry(tmp_path: Path, vocabulary: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(config_with(tmp_path, vocabulary))
    assert message in str(error.value)
    assert "vocabulary" in str(error.value)


def test_the_answer_pipeline_reads_with_the_tenants_vocabulary(tmp_path: Path) -> None:
    config = config_with(tmp_path, '[[vocabulary.inline]]\nlanguage = "en"\nwords = { recharge = "vacation" }\n')
    AnswerPipeline.from_settings(load_settings(config), create_engine("sqlite://"), None)
    try:
        assert "vacation" in content_terms("How many recharge days do I get?")
        assert "Urlaub" in bridge_words("How many recharge days do I get?", "en")
    finally:
        use_vocabulary(builtin_vocabulary())
    assert "vacation" not in content_terms("How many recharge days do I get?")


def test_document_languages_are_language_codes(tmp_path: Path) -> None:
    settings = load_settings(config_with(tmp_path, '[vocabulary]\ndocument_languages = ["en", "de"]\n'))
    assert settings.vocabulary.document_languages == ["en", "de"]
    with pytest.raises(ConfigError, match="not a language code"):
        load_settings(config_with(tmp_path, '[vocabulary]\ndocument_languages = ["English"]\n'))
