from __future__ import annotations

import pytest

from retrieval.sparse import document_vector, query_vector, term_id, terms


def test_terms_fold_case_accents_plurals_and_drop_function_words() -> None:
    assert terms("What are the HDHP deductibles for Families?") == ["hdhp", "deduct", "famili"]
    assert terms("Café bonuses, $3,400 and 401(k)") == ["cafe", "bonus", "3,400", "401", "k"]
    assert terms("not after") == ["not", "after"]  # words that change an answer are kept


def test_term_ids_are_stable_across_processes_and_releases() -> None:
    # Stored sparse vectors depend on these ids: a change here silently breaks every existing index.
    assert term_id("deduct") == 3427124743
    assert 0 <= term_id("anything") < 2**32


def _weight(vector_text: str, term: str) -> float:
    vector = document_vector(vector_text, k1=1.2, b=0.75, avg_length=40)
    return dict(zip(vector.indices, vector.values, strict=True))[term_id(term)]


def test_bm25_term_frequency_saturates_and_long_documents_weigh_less() -> None:
    once, twice, five = (_weight(("pension " * n) + "plan", "pension") for n in (1, 2, 5))
    assert once < twice < five < 1.2 + 1  # saturating towards k1 + 1
    assert twice - once > five - twice
    short = _weight("pension plan", "pension")
    long = _weight("pension " + "words " * 80, "pension")
    assert long < short


def test_query_vector_is_ones_over_distinct_terms() -> None:
    vector = query_vector("pension pension plan")
    assert sorted(vector.values) == [1.0, 1.0]
    assert vector.indices == sorted(vector.indices)


@pytest.mark.parametrize("text", ["", "the and of", "?!"])
def test_empty_or_stopword_only_text_has_no_terms(text: str) -> None:
    assert query_vector(text).indices == []
