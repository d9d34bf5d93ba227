"""`offer-assistant candidate erase --workflow ID`: the right to erasure, confirmed, audited (SQLite file)."""

from __future__ import annotations

import json

import typer
from sqlmodel import select
from typer.testing import CliRunner, Result

from app.cli import candidates
from app.cli.context import CliState
from app.config import Settings
from offer_engine import audit, chat_history, messages
from offer_engine.chat_history import ChatStep, ChatThread, ThreadOwner
from offer_engine.db import make_engine, session_scope
from offer_engine.migrations import upgrade
from offer_engine.offers import OfferState
from tests import factories as f


def run(settings: Settings, *args: str, stdin: str | None = None) -> Result:
    app = typer.Typer()

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState(settings=settings)

    candidates.register(app)
    return CliRunner().invoke(app, list(args), input=stdin)


def seeded(settings: Settings) -> int:
    """A sent offer of the configured tenant with a conversation and a recruiter's message; its workflow id."""
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
        offer.customer_id = settings.icims.customer_id
        session.add(offer)
        session.flush()
        assert offer.id is not None
        owner = ThreadOwner(
            identifier=f"candidate:{offer.customer_id}:{offer.workflow_id}:{offer.id}",
            customer_id=offer.customer_id, workflow_id=offer.workflow_id, offer_id=offer.id,
        )  # fmt: skip
        chat_history.save_step(session, owner, "t-1", "s-1", {"type": "user_message", "output": "my question"})
        messages.post_message(session, offer.id, "Hi from Rita", actor=f.recruiter(), author_name="Rita")
        workflow = offer.workflow_id
    engine.dispose()
    return workflow


def remaining(settings: Settings) -> tuple[int, int]:
    engine = make_engine(settings.resolved_database_url)
    with session_scope(engine) as session:
        counts = len(list(session.exec(select(ChatThread)))), len(list(session.exec(select(ChatStep))))
    engine.dispose()
    return counts


def test_erase_with_yes_removes_everything_and_is_audited(settings: Settings) -> None:
    workflow = seeded(settings)
    result = run(settings, "candidate", "erase", "--workflow", str(workflow), "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "workflow_id": workflow, "threads": 1, "steps": 1, "elements": 0, "messages": 1,
    }  # fmt: skip
    assert remaining(settings) == (0, 0)
    engine = make_engine(settings.resolved_database_url)
    with session_scope(engine) as session:
        assert [e.action for e in audit.events_for(session, "workflow", workflow)] == ["candidate.history_erased"]
    engine.dispose()


def test_erase_without_confirmation_erases_nothing(settings: Settings) -> None:
    workflow = seeded(settings)
    result = run(settings, "candidate", "erase", "--workflow", str(workflow), stdin="")
    assert result.exit_code == 1
    assert "confirm with --yes" in result.output
    assert remaining(settings) == (1, 1)


def test_erase_needs_a_valid_workflow_id(settings: Settings) -> None:
    for bad in ("0", "abc"):
        result = run(settings, "candidate", "erase", "--workflow", bad, "--yes")
        assert result.exit_code == 2, result.output
