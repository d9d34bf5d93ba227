"""`offer-assistant ask` and `link` against a tenant that is not the demo, given only through --config."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import typer
from typer.testing import CliRunner

from app import wiring
from app.cli import chat as chat_cli
from app.cli import cli
from app.config import load_settings
from app.links import Audience, verify_token
from offer_engine import candidate_requests, counters
from offer_engine.db import make_engine, session_scope
from retrieval import close_client
from tests.app.chat import other_tenant as halden

KEYS = {"workflow", "question", "answer", "citations", "intent", "counter_offer", "handoff"}


def _app() -> typer.Typer:
    if not any(command.name == "ask" for command in cli.registered_commands):
        chat_cli.register(cli)  # until app/cli/__init__.py imports the chat commands
    return cli


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = halden.write(tmp_path_factory.mktemp("halden"))
    yield path
    close_client(wiring.retrieval_config(load_settings(path)))


def run(config: Path, *args: str, expect: int = 0) -> str:
    result = CliRunner().invoke(_app(), ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.stdout


def _db(config: Path):  # type: ignore[no-untyped-def]
    return make_engine(load_settings(config).resolved_database_url)


def test_ask_answers_from_the_configured_tenant_with_offer_citations(config: Path) -> None:
    out = json.loads(run(config, "ask", "--workflow", str(halden.WORKFLOW), "--json", "What is my base salary?"))
    assert set(out) == KEYS
    assert (out["workflow"], out["question"], out["intent"]) == (
        halden.WORKFLOW,
        "What is my base salary?",
        "offer_term_question",
    )
    assert halden.SALARY_TEXT in out["answer"]
    assert out["citations"] == [
        {
            "kind": "offer",
            "ref": "applicantworkflow.field8001",
            "title": "Your offer: Staff Firmware Engineer (version 1)",
            "quote": f"Base salary: ${halden.SALARY_TEXT} per year",
        }
    ]
    assert (out["counter_offer"], out["handoff"]) == (None, False)


def test_ask_reads_the_configured_benefits_folder_filtered_to_the_offers_jurisdiction(config: Path) -> None:
    out = json.loads(run(config, "ask", "--workflow", str(halden.WORKFLOW), "--json", "How long is parental leave?"))
    assert "14 weeks" in out["answer"]
    assert "30 weeks" not in out["answer"]  # the UK document is not this US candidate's
    assert [c["kind"] for c in out["citations"]] == ["document"]
    assert out["citations"][0]["ref"].startswith("us/time-away.md")


def test_ask_detects_a_counter_offer_but_stores_it_only_with_confirm(config: Path) -> None:
    question = "Could you do 185k base and a 25k sign-on?"
    out = json.loads(run(config, "ask", "--workflow", str(halden.WORKFLOW), "--json", question))
    assert out["intent"] == "negotiation"
    assert out["counter_offer"] == {
        "items": [
            {"term": "base_salary", "current": halden.SALARY, "requested": 185000, "currency": "USD"},
            {"term": "sign_on_bonus", "current": 20000, "requested": 25000, "currency": "USD"},
        ],
        "rationale": None,
    }
    with session_scope(_db(config)) as session:
        before = len(counters.queue(session))
    run(config, "ask", "--workflow", str(halden.WORKFLOW), "--json", "--confirm", question)
    with session_scope(_db(config)) as session:
        queued = counters.queue(session)
        assert len(queued) == before + 1
        assert queued[-1].source_message_text == question


def test_ask_confirm_queues_a_handoff_for_an_unanswerable_question(config: Path) -> None:
    question = "Is there a tuition reimbursement benefit?"
    out = json.loads(run(config, "ask", "--workflow", str(halden.WORKFLOW), "--json", "--confirm", question))
    assert out["handoff"] is True
    with session_scope(_db(config)) as session:
        assert question in [r.message for r in candidate_requests.queue(session)]


def test_batch_answers_every_line_in_order_and_reports_bad_lines(config: Path, tmp_path: Path) -> None:
    lines = [
        {"workflow": halden.WORKFLOW, "question": "When do I start?"},
        "this is not json",
        {"workflow": halden.NOT_READY, "question": "What is my salary?"},
        {"workflow": halden.WORKFLOW, "question": "¿Cuál es mi salario base?"},
        {"workflow": halden.NEEDS_DATA, "question": "What is my salary?"},
    ]
    batch = tmp_path / "questions.jsonl"
    batch.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines), encoding="utf-8")
    results = [json.loads(line) for line in run(config, "ask", "--batch", str(batch), expect=1).splitlines()]
    assert len(results) == 5
    assert halden.START_TEXT in results[0]["answer"]
    assert results[1] == {"line": 2, "error": results[1]["error"]}
    assert "invalid line" in results[1]["error"]
    assert results[2]["workflow"] == halden.NOT_READY
    assert "not one of the offer-ready statuses" in results[2]["error"]
    assert results[3]["answer"].startswith("Tu salario base es")
    assert results[4]["workflow"] == halden.NEEDS_DATA
    assert "waiting for data" in results[4]["error"]
    assert "applicantworkflow.field8001" in results[4]["error"]  # the field, and what is wrong with it


def test_ask_without_a_question_is_a_usage_error(config: Path) -> None:
    result = CliRunner().invoke(_app(), ["--config", str(config), "ask", "--workflow", "801"])
    assert result.exit_code == 2
    assert "--batch" in result.output


def test_link_prints_a_signed_portal_link_for_the_configured_public_url(config: Path) -> None:
    settings = load_settings(config)
    url = run(config, "link", "--workflow", str(halden.WORKFLOW), "--one-time").strip()
    assert url.startswith(f"{settings.public_url}/auth/portal?token=")
    claims = verify_token(
        settings.secret("security.link_signing_key"), url.split("token=")[1], audience=Audience.PORTAL
    )
    assert (claims.workflow_id, claims.one_time) == (halden.WORKFLOW, True)
    assert claims.exp - claims.iat == settings.security.link_ttl_hours * 3600
    widget = run(config, "link", "--workflow", str(halden.WORKFLOW), "--widget").strip()
    assert widget.startswith(f"{settings.public_url}/careers?token=")
    assert jwt.decode(widget.split("token=")[1], options={"verify_signature": False})["aud"] == Audience.WIDGET.value


def test_link_for_a_workflow_not_at_offer_stage_fails_clearly(config: Path) -> None:
    result = CliRunner().invoke(_app(), ["--config", str(config), "link", "--workflow", str(halden.NOT_READY)])
    assert result.exit_code == 2
    assert "not one of the offer-ready statuses" in result.output
