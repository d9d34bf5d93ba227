"""Folding: the ASCII fast path gives exactly what the general Unicode path gives."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from app.ai.text import fold, fold_aligned, sentences


def _fold_by_unicode(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.lower()).strip()


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_folds_as_the_unicode_path_folds_it(text: str) -> None:
    assert fold(text) == _fold_by_unicode(text)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_aligned_folding_of_ascii_keeps_one_character_per_character(text: str) -> None:
    aligned = fold_aligned(text)
    assert len(aligned) == len(text)
    assert " ".join(aligned.split()) == fold(text)


def test_accents_typographic_quotes_and_dashes_are_made_plain() -> None:
    assert fold("  Café’s\u00a0Ärzte — Zürich ") == "cafe's arzte - zurich"
    assert fold_aligned("Café’s–X") == "cafe's-x"


def test_a_clock_time_or_a_decimal_ends_its_sentence_and_an_ordinal_does_not() -> None:
    assert sentences("Report to Hall A at 08:30. The other office opens at 09:00. Bring ID.") == [
        "Report to Hall A at 08:30.",
        "The other office opens at 09:00.",
        "Bring ID.",
    ]
    assert sentences("The rate rises by 1.5. Then it stays.") == ["The rate rises by 1.5.", "Then it stays."]
    assert sentences("Wir zahlen am 3. Mai. Danach nicht.") == ["Wir zahlen am 3. Mai.", "Danach nicht."]
    assert sentences("13. Monatsgehalt: im November.") == ["13. Monatsgehalt: im November."]
    assert sentences("Siehe (2. Absatz) unten.") == ["Siehe (2. Absatz) unten."]
