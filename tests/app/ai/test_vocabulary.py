"""The shared vocabulary as data: the built-in files, a tenant's additions, bad entries, and the words a search
carries into the other languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.ai.extractive import _stem, active_vocabulary, bridge_words, content_terms, use_vocabulary
from app.vocabulary import (
    BUILTIN_DIR,
    VocabularyError,
    VocabularyFile,
    builtin_vocabulary,
    load_vocabulary,
    parse_vocabulary,
    read_vocabulary_file,
)


@pytest.fixture
def restore_vocabulary() -> Iterator[None]:
    yield
    use_vocabulary(builtin_vocabulary())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the built-in files -------------------------------------------------------------------------------------------


def test_the_builtin_vocabulary_covers_three_languages_with_several_hundred_words() -> None:
    vocabulary = builtin_vocabulary()
    assert vocabulary.languages == ("en", "de", "es")
    assert len(vocabulary.words) >= 800
    assert len(vocabulary.heads) >= 40
    assert active_vocabulary() is vocabulary


def test_every_concept_word_reads_as_itself() -> None:
    """A concept word the plural stemmer would change ("glasses" -> "glass") would never meet its own words."""
    vocabulary = builtin_vocabulary()
    assert [c for c in sorted(vocabulary.concepts) if _stem(c) != c] == []


@pytest.mark.parametrize(
    ("question", "document"),
    [
        ("Gibt es einen Zuschuss für die Bildschirmbrille?", "Prescription eyeglasses are covered up to $200."),
        ("¿Cubre el seguro las gafas graduadas?", "Eine Brille wird alle zwei Jahre erstattet."),
        ("wann endet meine Befristung?", "Your fixed-term contract ends on 30 June 2027."),
        ("Is there a discount on the spa for staff?", "Mitarbeitende erhalten 20 % Rabatt im Spa."),
        ("Gibt es Parkplätze?", "Hay plazas de aparcamiento gratuitas para la plantilla."),
        ("Wie viele Überstunden werden bezahlt?", "Las horas extra se pagan al 150 %."),
        ("Do you pay for a Jobticket?", "Das Deutschlandticket wird bezuschusst."),  # compound heads: …ticket
        ("¿Hay guardería?", "Kinderbetreuung: die Kita-Plätze werden bezuschusst."),
    ],
)
def test_a_question_and_a_document_in_different_languages_share_a_concept(question: str, document: str) -> None:
    assert content_terms(question) & content_terms(document) & builtin_vocabulary().concepts


def test_inflected_forms_and_compounds_read_as_their_concept() -> None:
    assert {"end", "fixedterm"} <= content_terms("Wann endet mein befristeter Vertrag?")
    assert "carryover" in content_terms("Kann ich Resturlaub ins nächste Jahr übertragen?")
    assert "carryover" in content_terms("can I carry unused holiday into next year?")
    assert "insurance" in content_terms("Zahnzusatzversicherung")  # read by its head
    assert "supplement" in content_terms("Sonntagszuschlag")


def test_the_builtin_files_validate_one_by_one() -> None:
    for language in ("en", "de", "es"):
        entry = read_vocabulary_file(BUILTIN_DIR / f"{language}.toml")
        assert entry.language == language
        assert entry.words


# -- bad entries: a clear error naming the file and the entry ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('language = "fr"\n[words]\n"Congés" = "vacation"\n', "entry 'Congés'"),
        ('language = "fr"\n[words]\nconges = "Vacation"\n', "'conges'"),
        ('language = "fr"\n[words]\nlunettes = "glasses"\n', "singular"),
        ('language = "fr"\n[phrases]\ncarryover = ["report(er"]\n', "carryover"),
        ('language = "fr"\n[wordz]\nconges = "vacation"\n', "wordz"),
        ('language = "french"\n', "language"),
        ('version = 2\nlanguage = "fr"\n', "version"),
    ],
)
def test_a_bad_entry_is_a_clear_error_naming_it(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "fr.toml", text)
    with pytest.raises(VocabularyError) as error:
        load_vocabulary([path])
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_a_word_for_two_concepts_names_both_files(tmp_path: Path) -> None:
    path = write(tmp_path, "jargon.toml", 'language = "en"\n[words]\npto = "sick"\n')
    with pytest.raises(VocabularyError, match=r"words\.pto = 'sick', but .*en\.toml maps 'pto' to 'vacation'"):
        load_vocabulary([path])


def test_a_concept_word_that_is_another_concepts_word_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "jargon.toml", 'language = "en"\n[words]\nholibobs = "pto"\n')
    with pytest.raises(VocabularyError, match=r"words\.holibobs = 'pto', but 'pto' is itself a word for 'vacation'"):
        load_vocabulary([path])


def test_a_file_that_is_not_toml_or_missing_is_a_clear_error(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.toml", 'language = "fr"\n[words]\nconges = \n')
    with pytest.raises(VocabularyError, match=r"broken\.toml is not valid TOML"):
        load_vocabulary([broken])
    with pytest.raises(VocabularyError, match=r"missing\.toml cannot be read"):
        load_vocabulary([tmp_path / "missing.toml"])


def test_inline_entries_are_checked_like_files() -> None:
    with pytest.raises(VocabularyError, match=r"inline.*words"):
        parse_vocabulary({"language": "fr", "words": {"Congés payés": "vacation"}}, "[[vocabulary.inline]] #1")


# -- a tenant's further language ----------------------------------------------------------------------------------

FRENCH = """
version = 1
language = "fr"
[words]
conges = "vacation"
lunettes = "eyeglass"
mutuelle = "health"
[phrases]
carryover = ['report(?:er)? (?:\\w+ ){0,3}sur l.annee suivante']
[bridge]
carryover = ["report des congés"]
"""


def test_a_tenant_adds_a_language_without_code(tmp_path: Path, restore_vocabulary: None) -> None:
    use_vocabulary(load_vocabulary([write(tmp_path, "fr.toml", FRENCH)]))
    assert "vacation" in content_terms("Combien de congés ai-je ?")
    assert "carryover" in content_terms("Puis-je reporter mes congés sur l'année suivante ?")
    assert content_terms("La mutuelle rembourse les lunettes.") >= {"health", "eyeglass"}
    assert "report des congés" in bridge_words("Can I carry over vacation days?")
    assert "lunettes" in bridge_words("Zahlt die Firma eine Brille?")


def test_inline_entries_add_jargon(restore_vocabulary: None) -> None:
    jargon = VocabularyFile(language="en", words={"recharge": "vacation"})
    use_vocabulary(load_vocabulary(inline=[jargon]))
    assert "vacation" in content_terms("How many recharge days do I get?")
    use_vocabulary(builtin_vocabulary())
    assert "vacation" not in content_terms("How many recharge days do I get?")


# -- the words a search carries into the other languages ----------------------------------------------------------


def test_a_german_question_is_bridged_into_english_and_spanish() -> None:
    bridged = bridge_words("Kann ich Resturlaub ins nächste Jahr übertragen?", "de")
    assert {"carry over", "arrastrar"} <= set(bridged)
    assert "Übertragung" not in bridged  # the question's own language is searched by the question itself


def test_an_english_question_is_bridged_into_german_and_spanish() -> None:
    bridged = bridge_words("is there a discount on the spa for staff?", "en")
    assert {"Rabatt", "Mitarbeiterrabatt", "descuento", "wellnessbereich"} <= set(bridged)
    assert "discounts" not in bridged


def test_without_a_language_every_language_is_bridged_but_the_questions_own_words() -> None:
    bridged = bridge_words("Does the plan cover glasses?")
    assert {"eyeglasses", "brille", "gafas"} <= set(bridged)
    assert "glasses" not in bridged


def test_a_question_naming_no_known_concept_is_not_bridged() -> None:
    assert bridge_words("Who is Tomasz?", "en") == []


def test_concepts_in_nearly_every_question_are_not_bridged() -> None:
    """ "How many days …": "Tag", "días" would match every document of the other languages."""
    bridged = bridge_words("How many vacation days does the company give?", "en")
    assert "Urlaub" in bridged
    assert not {"tag", "tage", "dias", "arbeitgeber", "empresa"} & set(bridged)


def test_a_question_is_bridged_only_into_the_documents_languages() -> None:
    bridged = bridge_words("Wann endet meine Befristung?", "de", into=("en",))
    assert "fixed-term" in bridged
    assert "contrato temporal" not in bridged
