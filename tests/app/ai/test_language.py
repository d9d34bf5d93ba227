from __future__ import annotations

import pytest

from app.ai.language import detect_language, reply_language


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("What is my salary?", "en"),
        ("When do I start", "en"),
        ("fully remote", "en"),
        ("175 base", "en"),
        ("¿Cuál es mi salario?", "es"),
        ("cual es mi sueldo", "es"),
        ("Necesito empezar el 6 de abril", "es"),
        ("Hola", "es"),
        ("gracias", "es"),
        ("Quel est mon salaire ?", "other"),
        ("Wie hoch ist mein Gehalt?", "de"),
        ("Wann fange ich an?", "de"),
        ("Hallo", "de"),
        ("Vielen Dank!", "de"),
        ("Ich möchte 10.000 € mehr Grundgehalt", "de"),
        ("ich mochte mehr urlaub fur meine familie", "de"),  # umlauts typed without dots
        ("Koennten Sie das Gehalt erhoehen?", "de"),  # umlauts typed as oe
        ("Grüße", "de"),
        ("Is my Gehalt 100k?", "en"),  # mixed: the majority wins
        ("I was hoping for more", "en"),  # "was" is English here
        ("Ich habe a question about my offer please", "en"),
        ("Mein Gehalt, what is it? Wie hoch ist es genau?", "de"),
        ("Uber offer", "en"),
        ("Quelles sont les dates des vacances ?", "other"),
        ("Qual é a data das férias?", "other"),
        ("Qual é o meu salário?", "other"),
        ("私の給料はいくらですか", "other"),
        ("Какая у меня зарплата?", "other"),
    ],
)
def test_detect_language(message: str, language: str) -> None:
    assert detect_language(message) == language


def test_a_message_without_evidence_follows_the_hint() -> None:
    assert detect_language("175k?", "es-MX") == "es"
    assert detect_language("175k?") == "en"


def test_a_german_hint_is_followed_only_without_evidence_or_on_a_tie() -> None:
    assert detect_language("175k?", "de-DE") == "de"
    assert detect_language("175k?", "German") == "de"
    assert detect_language("Danke, thanks", "de") == "de"
    assert detect_language("Danke, thanks") == "en"
    assert detect_language("What is my salary?", "de") == "en"
    assert detect_language("¿Cuál es mi salario?", "de-AT") == "es"


@pytest.mark.parametrize(
    ("detected", "reply"),
    [("en", "en"), ("es", "es"), ("de", "de"), ("other", "en"), ("es-MX", "es"), ("de-AT", "de"), ("fr", "en")],
)
def test_reply_language(detected: str, reply: str) -> None:
    assert reply_language(detected) == reply
