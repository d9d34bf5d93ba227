from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from retrieval import ANY_JURISDICTION, BenefitsIndex, InvalidJurisdictionError, Mode
from retrieval.evaluation import MODES

from .conftest import Corpus

GENERIC_QUESTIONS = [
    "how much parental leave do I get?",
    "how many days of holiday or vacation do I get?",
    "how much sick pay or sick leave do I get?",
    "what does the company put into my pension or retirement plan?",
    "what health insurance is there for my family?",
    "what is the notice period if I resign?",
    "how do my RSUs vest?",
    "when is the bonus paid?",
]


def test_table_row_answers_the_family_deductible_question_with_its_headers(demo_index: BenefitsIndex) -> None:
    passages = demo_index.search("what is the HDHP deductible for a family?", jurisdiction="US-CA", top_k=3)
    row = next(p for p in passages if p.kind == "table_row")
    assert row.doc_id == "us/medical-plans.md"
    assert "Plan: Corvid HDHP with HSA" in row.text
    assert "Deductible (family): $3,400" in row.text
    assert row.section == ["Deductibles and out-of-pocket maximums"]
    assert "Deductible (family): $3,400" in row.quote
    assert len(row.quote) <= 200


@pytest.mark.parametrize("mode", MODES)
def test_uk_readers_never_see_us_documents_and_vice_versa(demo_index: BenefitsIndex, mode: Mode) -> None:
    for question in GENERIC_QUESTIONS:
        uk = demo_index.search(question, jurisdiction="GB", top_k=10, mode=mode)
        assert uk, question
        assert all(set(p.jurisdictions) <= {"GB", "ALL"} for p in uk), question
        for region, others in (("US-CA", {"US-NY", "US-CO"}), ("US-NY", {"US-CA", "US-CO"}), ("US-TX", set())):
            us = demo_index.search(question, jurisdiction=region, top_k=10, mode=mode)
            allowed = {"ALL", "US", region}
            assert us, (question, region)
            assert all(set(p.jurisdictions) <= allowed for p in us), (question, region)
            assert not any(set(p.jurisdictions) & (others | {"GB"}) for p in us)


def test_company_wide_documents_reach_every_country(demo_index: BenefitsIndex) -> None:
    for reader in ("GB", "US-CO", "US"):
        top = demo_index.search("what happens to unvested RSUs when I leave?", jurisdiction=reader, top_k=3)
        assert top[0].doc_id == "company/equity-plan-rules.md"
        assert top[0].jurisdictions == ["ALL"]


def test_state_documents_reach_their_state(demo_index: BenefitsIndex) -> None:
    ny = demo_index.search("New York paid family leave", jurisdiction="US-NY", top_k=5)
    assert any(p.doc_id == "us/ny/new-york-supplement.md" for p in ny)
    ca = demo_index.search("New York paid family leave", jurisdiction="US-CA", top_k=10)
    assert not any(p.doc_id.startswith("us/ny/") for p in ca)


def test_passages_carry_citation_fields(demo_index: BenefitsIndex) -> None:
    passage = demo_index.search("How long is paternity leave?", jurisdiction="GB", top_k=1)[0]
    assert passage.doc_id == "gb/family-leave.md"
    assert passage.title == "UK family leave"
    assert passage.section_path == "Paternity leave"
    assert passage.citation == "UK family leave — Paternity leave"
    assert passage.plan_year == 2027
    assert passage.similarity is not None
    assert 0.3 < passage.similarity <= 1.0
    assert passage.quote
    assert len(passage.quote) <= 200
    assert "6 weeks" in passage.quote


def test_quotes_of_wide_rows_keep_the_row_name_and_matching_cells(demo_index: BenefitsIndex) -> None:
    passages = demo_index.search("Kaiser HMO out-of-pocket maximum for a family", jurisdiction="US-CO", top_k=5)
    row = next(p for p in passages if p.kind == "table_row" and "Kaiser" in p.text and "Out-of-pocket" in p.text)
    assert row.quote.startswith("Plan: Kaiser Permanente HMO")
    assert "Out-of-pocket maximum (family): $3,000" in row.quote


def test_plan_year_filter_keeps_undated_documents(demo_index: BenefitsIndex) -> None:
    assert demo_index.search("401k match", jurisdiction="US", plan_year=2027)
    assert demo_index.search("401k match", jurisdiction="US", plan_year=2031) == []


def test_blank_queries_and_bad_jurisdictions(demo_index: BenefitsIndex) -> None:
    assert demo_index.search("   ", jurisdiction="GB") == []
    with pytest.raises(InvalidJurisdictionError):
        demo_index.search("holiday", jurisdiction="England")
    everywhere = demo_index.search("parental leave", jurisdiction=ANY_JURISDICTION, top_k=20)
    assert {"GB", "US"} <= {code for p in everywhere for code in p.jurisdictions}


def test_stopword_only_question_still_gets_dense_results(demo_index: BenefitsIndex) -> None:
    assert demo_index.search("what is it?", jurisdiction="GB", mode="hybrid")
    assert demo_index.search("what is it?", jurisdiction="GB", mode="bm25") == []


def test_concurrent_searches_agree_with_sequential_ones(demo_index: BenefitsIndex) -> None:
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(q, region) for q in GENERIC_QUESTIONS for region in ("GB", "US-CA")]
    sequential = [[p.chunk_id for p in demo_index.search(q, jurisdiction=r)] for q, r in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(
            pool.map(lambda job: [p.chunk_id for p in demo_index.search(job[0], jurisdiction=job[1])], jobs)
        )
    assert parallel == sequential


def test_one_table_does_not_fill_every_place(corpus: Corpus, markdown_doc: Callable[..., str]) -> None:
    rows = "\n".join(f"| Office {n} closure day | Monday {n} June |" for n in range(1, 9))
    sections = {
        "Closure days": f"| Closure day | Date |\n|---|---|\n{rows}\n\nEveryone gets 8 office closure days a year.",
        "Booking leave": "Book annual leave in the HR system two weeks ahead.",
    }
    corpus.write("leave.md", markdown_doc("Office closure days", sections, "GB"))
    corpus.index.build()
    question = "how many office closure days are there?"
    top = corpus.index.search(question, jurisdiction="GB", top_k=5)
    rows_found = [p for p in top if p.kind == "table_row"]
    assert len(rows_found) == corpus.config.max_rows_per_table == 3
    assert any("8 office closure days" in p.text for p in top)
    everything = corpus.index.search(question, jurisdiction="GB", top_k=20)
    assert sum(p.kind == "table_row" for p in everything) == 8  # held back, not dropped


class CountingEncoder:
    """The real encoder, recording every batch it is asked to embed."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[list[str]] = []
        self.name, self.dimension = real.name, real.dimension

    def embed(self, texts: list[str]) -> Any:
        self.calls.append(texts)
        return self.real.embed(texts)

    def count_word_pieces(self, text: str) -> int:
        return int(self.real.count_word_pieces(text))


def test_repeated_questions_reuse_the_query_vector(demo_index: BenefitsIndex) -> None:
    encoder = CountingEncoder(demo_index.encoder)
    calls = encoder.calls
    index = BenefitsIndex(demo_index.config, encoder)
    first = index.search("how do my RSUs vest?", jurisdiction="US")
    again = index.search("how do my RSUs vest?", jurisdiction="GB")
    assert calls == [["how do my RSUs vest?"]]
    assert first[0].chunk_id == again[0].chunk_id
    index.clear_query_cache()
    index.search("how do my RSUs vest?", jurisdiction="US")
    assert len(calls) == 2


def test_sentence_similarities_rank_by_meaning_and_embed_each_sentence_once(demo_index: BenefitsIndex) -> None:
    encoder = CountingEncoder(demo_index.encoder)
    calls = encoder.calls
    index = BenefitsIndex(demo_index.config, encoder)
    sentences = ["Dark denim is fine on the sales floor.", "The 401(k) match is 4% of pay."]
    jeans = index.similarities("can I wear jeans at work?", sentences)
    assert jeans[0] > jeans[1] + 0.3
    index.similarities("what is the retirement match?", list(reversed(sentences)))
    assert calls == [["can I wear jeans at work?"], sentences, ["what is the retirement match?"]]
    assert index.similarities("anything", []) == []
