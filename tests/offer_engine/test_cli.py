"""The offer commands (`app/cli/offers.py`) end to end: a real sandbox, a SQLite file, the demo policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from pydantic import SecretStr
from sqlalchemy import text
from typer.testing import CliRunner

from app.cli import offers as offer_commands
from app.cli.context import CliState
from app.config import Settings
from offer_engine.db import make_engine
from tests.offer_engine.conftest import without_guards
from tests.support.icims_sandbox import SandboxHandle, running_sandbox


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def cli_settings(settings: Settings, icims: SandboxHandle) -> Settings:
    """The demo settings pointed at the running sandbox (its port and credentials)."""
    port = int(icims.base_url.rsplit(":", 1)[1])
    connection = settings.icims.model_copy(
        update={"client_id": icims.client_id, "client_secret": SecretStr(icims.client_secret), "max_retries": 0}
    )
    return settings.model_copy(
        update={"icims": connection, "sandbox": settings.sandbox.model_copy(update={"port": port})}
    )


@pytest.fixture
def run(cli_settings: Settings):  # type: ignore[no-untyped-def]
    app = typer.Typer()

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState(settings=cli_settings)

    offer_commands.register(app)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_draft_prints_the_report_and_saves_the_pdf(run, cli_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    out = run("draft", "--workflow", "3401", "--as", "rita")
    assert "state in_review" in out
    assert "compliance: PASSED" in out
    pdf = Path(re.search(r"pdf: (\S+)", out).group(1))  # type: ignore[union-attr]
    assert pdf.parent == cli_settings.data_dir / "letters"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "unchanged" in run("draft", "--workflow", "3401", "--as", "rita")


def test_draft_lists_missing_data_and_refuses_a_workflow_past_the_offer_stage(run) -> None:  # type: ignore[no-untyped-def]
    out = run("draft", "--workflow", "3407", "--as", "rita")
    assert "state needs_data" in out
    assert "base_salary [absent] tried applicantworkflow.field31001" in out
    assert "start_date [absent]" in out
    refused = run("draft", "--workflow", "3406", "--as", "rita", code=1)
    assert "offer-ready" in refused


def test_approve_sync_and_verify_from_the_command_line(run, icims: SandboxHandle) -> None:  # type: ignore[no-untyped-def]
    run("draft", "--workflow", "3401", "--as", "rita")
    offer_id = "1"
    preview = run("approvals", "preview", "--offer", offer_id)
    assert re.search(r"\d+ step\(s\):|no approval needed", preview)
    run("approvals", "submit", "--offer", offer_id, "--as", "rita", "--role", "recruiter")
    for _ in range(10):
        listed = run("approvals", "list")
        match = re.search(r"step (\d+): .* role (\w+) · quorum (\w+)", listed)
        if match is None:
            break
        step, role, quorum = match.groups()
        other = "legal" if role != "legal" else "recruiter"
        refused = run("approvals", "approve", step, "--as", "someone", "--role", other, code=1)
        assert "may not decide" in refused
        for n in range(int(quorum) if quorum.isdigit() else 1):
            run("approvals", "approve", step, "--as", f"{role}-{n}", "--role", role, "--comment", "fine")
    assert "no open approval steps" in run("approvals", "list")
    out = run("sync")
    assert "delivered 4" in out  # letter, fields, note, and the approved terms checked against iCIMS
    assert icims.profile("applicantworkflows", 3401)["field31020"] == "Approved"
    run("worker", "--rounds", "1", "--interval", "0")  # nothing left to do: a quiet round
    assert "audit chain OK" in run("audit", "verify")


def test_audit_verify_fails_on_tampering(run, cli_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    run("draft", "--workflow", "3401", "--as", "rita")
    engine = make_engine(cli_settings.resolved_database_url)
    without_guards(engine, ["UPDATE audit_events SET actor_id = 'mallory' WHERE seq = 2"])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor_id FROM audit_events WHERE seq = 2")).scalar() == "mallory"
    out = run("audit", "verify", code=1)
    assert "hash_mismatch" in out


def test_queue_commands(run) -> None:  # type: ignore[no-untyped-def]
    assert "empty" in run("queue", "list")
    assert "does not exist" in run("queue", "show", "99", code=1)
