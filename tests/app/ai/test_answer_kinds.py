"""The sentence that holds the kind of value asked (a date for "when", a place for "where", a duration for "how
long", a payer for "who pays"), the evidence gate's weighting of question words, and a second clause's own unit."""

from __future__ import annotations

import pytest

from app.ai.extractive import (
    UNKNOWN_WORD_WEIGHT,
    asked_kinds,
    asks_two_things,
    best_evidence,
    content_terms,
    evidence_by_meaning,
)
from app.ai.models import Passage


def _passage(text: str, section: str = "", title: str = "Policy", **extra: object) -> Passage:
    return Passage(doc_id=title.lower(), title=title, section=section, text=text, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("When is the holiday bonus paid?", {"date"}),
        ("By when do I have to send my receipts?", {"date"}),
        ("¿Cuándo se paga la paga extra?", {"date"}),
        ("Wann wird das Urlaubsgeld ausgezahlt?", {"date"}),
        ("What time should I arrive on my first day?", {"time"}),
        ("¿A qué hora empiezo?", {"time"}),
        ("Where do I go on my first morning?", {"place"}),
        ("wheres the induction", {"place"}),
        ("¿Dónde es la formación?", {"place"}),
        ("Wo findet die Einführung statt?", {"place"}),
        ("How long is the trial period?", {"duration"}),
        ("¿Cuánto tiempo dura el periodo de prueba?", {"duration"}),
        ("Wie lange dauert die Probezeit?", {"duration"}),
        ("Who pays for the work boots?", {"payer"}),
        ("¿Quién paga las botas?", {"payer"}),
        ("Wer zahlt die Arbeitsschuhe?", {"payer"}),
        ("If I leave when the year ends, do I keep the bonus?", set()),
        ("What time off do I get?", set()),
    ],
)
def test_the_kind_of_value_a_question_asks_for(question: str, kinds: set[str]) -> None:
    assert asked_kinds(question) == kinds


# Other policies beside the one that answers, so the asked words are as rare as in a real retrieval.
OTHERS = [
    _passage("Shift swaps are agreed with the team lead.\nSwaps are logged in the rota tool.", title="Rota"),
    _passage("Lockers are assigned on request.\nKeys are handed out at the front desk.", title="Lockers"),
    _passage("Parking spaces are shared.\nThey cannot be reserved in advance.", title="Parking"),
    _passage("Die Schichtpläne hängen im Pausenraum.\nSie werden zwei Wochen im Voraus veröffentlicht.", title="Plan"),
    _passage("Spinde werden auf Anfrage vergeben.\nDie Schlüssel gibt es am Empfang.", title="Spinde"),
]

BONUS = _passage(
    "The holiday bonus is paid to every employee with a permanent contract.\n"
    "It is part of the yearly pay review.\n"
    "Payment is made with the November salary.",
    section="Holiday bonus",
    title="Holiday bonus",
)
TRAINING = _passage(
    "Induction training is mandatory for every new employee in the warehouse teams.\n"
    "The induction takes place in the training room on the 2nd floor of the Dock Road depot.",
    section="Induction",
    title="Warehouse onboarding",
)
TRIAL = _passage(
    "Die Probezeit gilt für alle neuen Mitarbeitenden im Lager.\nSie beträgt sechs Monate ab dem Eintritt.",
    section="Probezeit",
    title="Arbeitsvertrag",
)
BOOTS = _passage(
    "Safety boots must be worn in the warehouse at all times.\nThe company reimburses one pair of safety boots a year.",
    section="Safety boots",
    title="Protective equipment",
)


@pytest.mark.parametrize(
    ("question", "passage", "expected"),
    [
        ("When is the holiday bonus paid?", BONUS, "Payment is made with the November salary."),
        ("¿Cuándo se paga el holiday bonus?", BONUS, "Payment is made with the November salary."),
        ("Where is the induction training?", TRAINING, "training room on the 2nd floor"),
        ("Who pays for my safety boots?", BOOTS, "The company reimburses one pair"),
    ],
)
def test_the_unit_with_the_kind_of_value_asked_comes_first(question: str, passage: Passage, expected: str) -> None:
    found = best_evidence(question, [passage, *OTHERS], limit=1, unknown_weight=UNKNOWN_WORD_WEIGHT)
    assert found
    assert expected in found[0].text


@pytest.mark.parametrize("question", ["whats the holiday bonus", "what's the holiday bonus", "wheres the induction"])
def test_interrogatives_in_any_spelling_are_not_asked_words(question: str) -> None:
    assert not content_terms(question) & {"whats", "what", "wheres", "where"}


def test_german_and_spanish_question_adverbs_are_not_asked_words() -> None:
    assert content_terms("Wie lange dauert die Probezeit?") == content_terms("Probezeit")
    assert content_terms("¿Cuánto tiempo dura el periodo de prueba?") == content_terms("periodo de prueba")


def test_an_everyday_word_no_passage_has_does_not_block_the_answer() -> None:
    certificate = _passage(
        "A criminal record certificate is required before your first shift.\n"
        "The criminal record certificate must not be older than three months.",
        section="Criminal record certificate",
        title="Pre-employment checks",
    )
    others = [_passage(f"Rule {n} about the warehouse schedule and shift swaps.", title=f"Rota {n}") for n in range(6)]
    question = "how do I obtain the criminal record certificate and how old can it be"
    found = best_evidence(question, [certificate, *others], limit=1, unknown_weight=UNKNOWN_WORD_WEIGHT)
    assert found
    assert found[0].passage is certificate


def test_a_document_compound_meets_the_questions_separate_words() -> None:
    premium = _passage("Der Nachtarbeitszuschlag beträgt 25 % des Stundenlohns.", section="Schichtarbeit")
    found = best_evidence("Wie hoch ist der Zuschlag für die Nacht?", [premium, *OTHERS], limit=1)
    assert found
    assert "25 %" in found[0].text


def test_a_second_clause_keeps_the_unit_that_answers_it() -> None:
    canteen = _passage(
        "Employees get a 30% discount on every meal in the staff canteen.\n"
        "The canteen is open from 7:00 to 15:00 on weekdays.\n"
        "Menus change every week.",
        section="Staff canteen",
        title="Canteen",
    )
    question = "What is the canteen discount and what time is it open?"
    assert asks_two_things(question)
    texts = [e.text for e in best_evidence(question, [canteen, *OTHERS], limit=2)]
    assert any("30%" in t for t in texts)
    assert any("7:00 to 15:00" in t for t in texts)


def test_an_off_topic_question_gets_no_sentence_by_meaning() -> None:
    offices = _passage(
        "Our downtown office is next to the central station.\nThe office has a roof terrace.",
        title="Offices",
        similarity=0.43,
        unit_similarity={"Our downtown office is next to the central station.": 0.53},
    )
    assert evidence_by_meaning([offices]) == []


def test_a_german_duration_question_ranks_the_sentence_with_the_months_first() -> None:
    general = _passage("Die Probezeit wird im Arbeitsvertrag vereinbart.", section="Arbeitsvertrag", title="Vertrag")
    found = best_evidence("Wie lange dauert die Probezeit?", [general, TRIAL, *OTHERS], limit=1, min_score=0)
    assert "sechs Monate" in found[0].text
