"""A question in one language answered from a document in another: the answer in the candidate's language, the
passage quoted as written and cited (the shared vocabulary bridges the words; no translation is made)."""

from __future__ import annotations

import pytest

from app.ai import AnswerEngine, Intent
from app.ai.models import Passage
from tests.app.ai.factories import make_request


def passage(doc_id: str, title: str, section: str, text: str, jurisdiction: str) -> Passage:
    return Passage(doc_id=doc_id, title=title, section=section, text=text, jurisdiction=jurisdiction)


EN_HOLIDAY = passage(
    "holiday",
    "Holiday policy",
    "Carrying holiday over",
    "You can carry up to 5 unused holiday days into the next holiday year. Days carried over must be taken by "
    "31 March.",
    "GB",
)
EN_PARKING = passage(
    "parking",
    "Getting to work",
    "Parking",
    "Free parking is available in the staff car park for all employees. Request a parking permit from reception.",
    "GB",
)
EN_CONTRACT = passage(
    "contract",
    "Your contract",
    "Fixed-term contracts",
    "Your fixed-term contract ends on 30 June 2027. An extension is discussed three months before that date.",
    "GB",
)
DE_LEAVE = passage(
    "de-urlaub",
    "Urlaubsregelung",
    "Resturlaub",
    "Nicht genommener Resturlaub kann bis zum 31. März des Folgejahres übertragen werden. Danach verfällt er.",
    "DE",
)
DE_SPA = passage(
    "de-wellness",
    "Mitarbeitervorteile",
    "Wellness",
    "Mitarbeitende erhalten 20 % Rabatt im Spa und in der Sauna des Hotels. Die Kantine ist werktags geöffnet.",
    "DE",
)
DE_GLASSES = passage(
    "de-brille", "Zusatzleistungen", "Brillen", "Für eine Bildschirmbrille übernimmt die Firma bis zu 250 Euro.", "DE"
)
ES_DENTAL = passage(
    "es-dental",
    "Beneficios",
    "Seguro dental",
    "La empresa paga el 100 % del seguro dental para el empleado. El comedor ofrece menú diario.",
    "ES",
)
ES_PARKING = passage(
    "es-parking",
    "Instalaciones",
    "Aparcamiento",
    "Hay plazas de aparcamiento gratuitas para toda la plantilla en el garaje del edificio.",
    "ES",
)
CORPUS = [EN_HOLIDAY, EN_PARKING, EN_CONTRACT, DE_LEAVE, DE_SPA, DE_GLASSES, ES_DENTAL, ES_PARKING]

# Each language's own framing of a quoted document passage ("According to …").
FRAMING = {"en": ("According to", "“"), "de": ("Laut", "„"), "es": ("Según", "«")}


@pytest.mark.parametrize(
    ("question", "language", "quote"),
    [
        # German question, English document
        ("Kann ich Resturlaub ins nächste Jahr übertragen?", "de", "Days carried over must be taken by 31 March."),
        ("Gibt es Parkplätze für Mitarbeiter?", "de", "Free parking is available in the staff car park"),
        ("wann endet meine Befristung?", "de", "Your fixed-term contract ends on 30 June 2027."),
        # English question, German document
        ("can I carry unused holiday into next year?", "en", "Nicht genommener Resturlaub kann bis zum 31. März"),
        ("is there a discount on the spa for staff?", "en", "Mitarbeitende erhalten 20 % Rabatt im Spa"),
        ("Does the company pay for glasses?", "en", "Für eine Bildschirmbrille übernimmt die Firma"),
        # Spanish question, English document
        ("¿Hay aparcamiento gratis?", "es", "Free parking is available in the staff car park"),
        # English question, Spanish document
        ("Does the company pay for dental insurance?", "en", "La empresa paga el 100 % del seguro dental"),
        # German question, Spanish document
        ("Wird die Zahnversicherung bezahlt?", "de", "La empresa paga el 100 % del seguro dental"),
        # Spanish question, German document
        ("¿Puedo pasar los días pendientes al año siguiente?", "es", "Nicht genommener Resturlaub kann"),
    ],
)
def test_the_answer_is_in_the_candidates_language_quoting_the_document_as_written(
    question: str, language: str, quote: str, embedded: AnswerEngine
) -> None:
    others = [p for p in CORPUS if not p.text.startswith(quote)]
    answering = next(p for p in CORPUS if quote in p.text)
    answer = embedded.answer(make_request(question, passages=[answering, *others[:3]]))
    assert answer.intent is Intent.BENEFITS_QUESTION
    assert answer.language == language
    assert not answer.handoff
    cited = [c for c in answer.citations if c.kind != "offer"]
    assert cited
    assert quote in (cited[0].quote or "")
    assert quote in answer.text  # quoted as the document writes it, not translated
    framing, mark = FRAMING[language]
    assert answer.text.startswith(framing) or mark in answer.text


def test_without_the_shared_concept_the_other_language_is_not_guessed(embedded: AnswerEngine) -> None:
    """A question whose words the vocabulary does not bridge finds nothing in the other language's passages."""
    answer = embedded.answer(make_request("Is there a rooftop terrace?", passages=[DE_SPA, DE_LEAVE]))
    assert not [c for c in answer.citations if c.kind != "offer"]
