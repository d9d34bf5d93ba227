"""Cross-language retrieval through the answer pipeline, on a real index and encoder: a question in one language
finds the passage written in another (the shared vocabulary's words join the word search), and same-language
retrieval keeps its ranking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from app.config import load_settings
from app.pipeline import BRIDGED_PASSAGES, AnswerPipeline
from retrieval import BenefitsIndex, Passage
from retrieval.evaluation import load_eval_set
from tests.retrieval.conftest import DEMO_EVAL, Corpus

JURISDICTION = "US"

DOCUMENTS = {
    "en/holiday.md": (
        "Holiday policy",
        {
            "Booking holiday": "Book holiday through the HR portal at least two weeks ahead.",
            "Bank holidays": "There are 8 bank holidays a year on top of your holiday entitlement.",
        },
    ),
    "en/vision.md": (
        "Vision benefits",
        {"Glasses and contact lenses": "Prescription eyeglasses are covered once every 12 months up to $200."},
    ),
    "en/contract.md": (
        "Your contract",
        {
            "Fixed-term contracts": "Your fixed-term contract ends on 30 June 2027. An extension is discussed three "
            "months before that date."
        },
    ),
    "en/commute.md": (
        "Getting to work",
        {"Parking": "Free parking is available in the staff car park.", "Cycling": "Secure bike storage is provided."},
    ),
    "en/health.md": (
        "Medical plans",
        {"Premiums": "The company pays 80% of the medical premium for employees and dependents."},
    ),
    "en/learning.md": (
        "Learning and development",
        {"Courses": "Each employee has a learning budget of $1,500 a year for courses and conferences."},
    ),
    "de/wellness.md": (
        "Mitarbeitervorteile",
        {
            "Wellness": "Mitarbeitende erhalten 20 % Rabatt im Spa und in der Sauna des Hotels.",
            "Kantine": "Die Kantine bietet täglich ein warmes Mittagessen an.",
        },
    ),
    "de/urlaub.md": (
        "Urlaubsregelung",
        {
            "Resturlaub": "Nicht genommener Resturlaub kann bis zum 31. März des Folgejahres übertragen werden.",
            "Urlaubsanspruch": "Der Urlaubsanspruch beträgt 30 Arbeitstage im Kalenderjahr.",
        },
    ),
    "de/arbeitszeit.md": (
        "Arbeitszeit",
        {
            "Gleitzeit": "Die Kernarbeitszeit liegt zwischen 10 und 15 Uhr.",
            "Überstunden": "Überstunden werden mit Freizeit ausgeglichen.",
        },
    ),
}


@pytest.fixture
def bilingual(corpus: Corpus, markdown_doc: Callable[..., str], tmp_path: Path) -> AnswerPipeline:
    for path, (title, sections) in DOCUMENTS.items():
        corpus.write(path, markdown_doc(title, sections))
    corpus.index.build()
    return pipeline_on(corpus.index, tmp_path)


def pipeline_on(index: BenefitsIndex, data: Path) -> AnswerPipeline:
    # retrieval reads no offer: the database is there because the pipeline is built with one
    return AnswerPipeline(settings=load_settings(data_dir=data), db=create_engine("sqlite://"), index=index, top_k=3)


@pytest.mark.parametrize(
    ("question", "doc_id", "phrase"),
    [
        ("Gibt es einen Zuschuss für Fortbildungen?", "en/learning.md", "learning budget"),
        ("wann endet meine Befristung?", "en/contract.md", "fixed-term contract ends"),
        ("Zahlt ihr eine Brille?", "en/vision.md", "Prescription eyeglasses"),
        ("¿la empresa paga las gafas graduadas?", "en/vision.md", "Prescription eyeglasses"),
        ("is there a discount on the spa for staff?", "de/wellness.md", "Rabatt im Spa"),
        # the English holiday policy is close in meaning but does not answer: the German one does
        ("can I carry unused holiday into next year?", "de/urlaub.md", "Resturlaub kann"),
        ("How much overtime is paid?", "de/arbeitszeit.md", "Überstunden werden"),
    ],
)
def test_a_question_finds_the_passage_written_in_another_language(
    bilingual: AnswerPipeline, question: str, doc_id: str, phrase: str
) -> None:
    found = bilingual.retrieve(question, JURISDICTION)
    assert any(p.doc_id == doc_id and phrase in p.text for p in found), [p.doc_id for p in found]
    assert len(found) <= bilingual.top_k + BRIDGED_PASSAGES


def test_a_question_naming_no_known_concept_searches_only_its_own_words(bilingual: AnswerPipeline) -> None:
    assert len(bilingual.retrieve("Who is Tomasz?", JURISDICTION)) <= bilingual.top_k


def test_the_passages_keep_their_own_words_and_the_questions_sentence_similarity(bilingual: AnswerPipeline) -> None:
    found = bilingual.retrieve("Gibt es einen Zuschuss für Fortbildungen?", JURISDICTION)
    learning = next(p for p in found if p.doc_id == "en/learning.md")
    assert "Each employee has a learning budget of $1,500 a year" in learning.text
    assert learning.unit_similarity  # measured against the candidate's question, for choosing the sentence


def test_a_question_its_own_documents_answer_searches_no_other_language(bilingual: AnswerPipeline) -> None:
    """ "Resturlaub" is answered by the German leave policy itself: no word search in other languages is made."""
    found = bilingual.retrieve("Kann ich Resturlaub ins nächste Jahr übertragen?", JURISDICTION)
    assert found[0].doc_id == "de/urlaub.md"
    assert len(found) <= bilingual.top_k


def first_hit(found: list[Passage], answers: Callable[[Passage], bool]) -> int | None:
    return next((n for n, p in enumerate(found, start=1) if answers(p)), None)


def test_same_language_retrieval_keeps_its_ranking_on_the_demo_set(demo_index: BenefitsIndex, tmp_path: Path) -> None:
    """The question's own hits come first and unchanged; the bridged word search only adds after them."""
    pipeline = pipeline_on(demo_index, tmp_path)
    pipeline.top_k = 5
    plain_ranks: list[int | None] = []
    bridged_ranks: list[int | None] = []
    for question in load_eval_set(DEMO_EVAL):
        plain = demo_index.search(question.question, jurisdiction=question.jurisdiction, top_k=5)
        found = pipeline.search(question.question, question.jurisdiction)
        assert [p.chunk_id for p in found[:5]] == [p.chunk_id for p in plain], question.id
        plain_ranks.append(first_hit(plain, question.is_answered_by))
        bridged_ranks.append(first_hit(found, question.is_answered_by))
    assert sum(r == 1 for r in bridged_ranks) == sum(r == 1 for r in plain_ranks)
    assert sum(r is not None for r in bridged_ranks) >= sum(r is not None for r in plain_ranks)
    assert all(b is not None and b <= p for b, p in zip(bridged_ranks, plain_ranks, strict=True) if p is not None)


def test_documents_in_the_questions_own_language_only_need_no_bridged_search(
    bilingual: AnswerPipeline,
) -> None:
    """The tenant says its documents are English: an English question searches only with its own words, a German
    one with its concepts' English words."""
    bilingual.document_languages = ("en",)
    english = bilingual.retrieve("is there a discount on the spa for staff?", JURISDICTION)
    assert len(english) <= bilingual.top_k
    german = bilingual.retrieve("wann endet meine Befristung?", JURISDICTION)
    assert any(p.doc_id == "en/contract.md" for p in german)
