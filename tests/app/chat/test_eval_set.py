"""The candidate evaluation set, run through the real pipeline (sandbox-drafted offers, real index, embedded engine).

Each line of `eval_messages.jsonl` is a candidate message over the demo data with what a correct answer must
contain (an entry that is a list accepts any of its alternatives), what it must never contain (other candidates'
pay, the role's internal band, ...), the counter-offer it carries (or null: a plain question must never be read
as a counter-offer), and optionally the intent, reply language and hand-off. Expectations were written from
`demo/icims-fixture.json` and `demo/benefits/`, not from the engine's output.

Lines the engine currently gets wrong are listed in KNOWN_ISSUES (strict xfail: once fixed they fail as XPASS,
so the entry must be removed). They are reported to the AI layer rather than special-cased anywhere.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.ai.models import Answer
from app.config import Settings
from app.pipeline import AnswerPipeline
from tests.app.chat.conftest import identity_of

EVAL_FILE = Path(__file__).with_name("eval_messages.jsonl")
CASES: list[dict[str, Any]] = [json.loads(line) for line in EVAL_FILE.read_text(encoding="utf-8").splitlines() if line]

KNOWN_ISSUES: dict[str, str] = {}


def _normalise(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ").casefold()


def _contains(text: str, expected: str | list[str]) -> bool:
    options = [expected] if isinstance(expected, str) else expected
    return any(_normalise(option) in _normalise(text) for option in options)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


def check(case: dict[str, Any], answer: Answer) -> list[str]:
    """Every way the answer falls short of the case (empty when it is right)."""
    problems: list[str] = []
    shown = answer.text + "\n" + "\n".join(c.quote for c in answer.citations)
    problems += [f"missing {want!r}" for want in case["must_contain"] if not _contains(answer.text, want)]
    problems += [f"leaked {bad!r}" for bad in case["must_not_contain"] if _contains(shown, bad)]
    expected_counter = case["counter_offer"]
    if expected_counter is None and answer.counter_offer is not None:
        problems.append(f"false counter-offer {answer.counter_offer.to_json()['items']}")
    if expected_counter is not None:
        got = {i.term.value: _plain(i.requested) for i in answer.counter_offer.items} if answer.counter_offer else None
        if got != expected_counter:
            problems.append(f"counter-offer {got} != {expected_counter}")
    intents = case.get("intent")
    if intents and answer.intent.value not in ([intents] if isinstance(intents, str) else intents):
        problems.append(f"intent {answer.intent.value} not in {intents}")
    if "language" in case and answer.language != case["language"]:
        problems.append(f"answered in {answer.language}, not {case['language']}")
    if "handoff" in case and answer.handoff != case["handoff"]:
        problems.append(f"handoff {answer.handoff} != {case['handoff']}")
    return problems


def _params() -> list[Any]:
    marks = {cid: pytest.mark.xfail(strict=True, reason=why) for cid, why in KNOWN_ISSUES.items()}
    return [pytest.param(case, id=case["id"], marks=marks.get(case["id"], ())) for case in CASES]


def test_the_set_covers_every_kind_of_message() -> None:
    kinds = Counter(case["category"] for case in CASES)
    assert len(CASES) >= 80
    assert len({case["id"] for case in CASES}) == len(CASES)
    for kind in ("offer_fact", "benefits", "negotiation", "process", "other_person", "injection"):
        assert kinds[kind] >= 5, kinds
    assert set(KNOWN_ISSUES) <= {case["id"] for case in CASES}


@pytest.fixture(scope="module")
def answer_of(demo_pipeline: AnswerPipeline, demo_settings: Settings) -> Callable[[dict[str, Any]], Answer]:
    """Each case answered once through the pipeline (both tests below read the same answer)."""
    answers: dict[str, Answer] = {}

    def answer(case: dict[str, Any]) -> Answer:
        if case["id"] not in answers:
            identity = identity_of(demo_pipeline.db, demo_settings, case["workflow"], channel="cli")
            answers[case["id"]] = demo_pipeline.answer(identity, case["message"]).answer
        return answers[case["id"]]

    return answer


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_no_answer_leaks_or_invents_a_counter_offer(case: dict[str, Any], answer_of: Any) -> None:
    """Enforced for every line, known issues included: no leak, no counter-offer read into a plain question."""
    answer = answer_of(case)
    problems = [p for p in check(case, answer) if p.startswith(("leaked", "false counter-offer"))]
    assert not problems, f"{case['message']!r} -> {answer.text!r}: {problems}"


@pytest.mark.parametrize("case", _params())
def test_eval_message(case: dict[str, Any], answer_of: Any) -> None:
    answer = answer_of(case)
    problems = check(case, answer)
    assert not problems, f"{case['message']!r} -> {answer.text!r}: {problems}"
