from __future__ import annotations

import pytest

from app.ai.language import detect_language


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
        ("Wie hoch ist mein Gehalt?", "other"),
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
