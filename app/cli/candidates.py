"""`offer-assistant candidate erase --workflow ID`: a candidate's right to erasure.

offer-assistant candidate erase --workflow 3401          # asks for confirmation
offer-assistant candidate erase --workflow 3401 --yes    # scripts: no question
offer-assistant candidate erase --workflow 3401 --yes --json

Removes the candidate's chat threads, their messages and elements (passages, letter copies shown in the chat) and
the recruiter's messages to them, for every offer of the workflow; the erasure itself is recorded in the audit
trail (who, when, how many; nothing erased is copied there).
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from app.cli.context import settings_of
from offer_engine import chat_history
from offer_engine.actors import system_actor
from offer_engine.chat_history import ErasureReport
from offer_engine.db import make_engine, session_scope
from offer_engine.migrations import upgrade


def register(cli: typer.Typer) -> None:
    candidate_app = typer.Typer(help="A candidate's own data: erase.", no_args_is_help=True)
    candidate_app.command("erase")(candidate_erase)
    cli.add_typer(candidate_app, name="candidate")


def candidate_erase(
    ctx: typer.Context,
    workflow: Annotated[int, typer.Option("--workflow", min=1, help="The candidate's iCIMS applicant workflow id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Erase without asking (for scripts).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was erased as one JSON object.")] = False,
) -> None:
    """Erase a candidate's conversations and messages (right to erasure); audited."""
    if not yes and not _confirmed(workflow):
        typer.echo("not erased: confirm with --yes (or answer 'erase' when asked)", err=True)
        raise typer.Exit(1)
    settings = settings_of(ctx)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    try:
        with session_scope(engine) as session:
            report = chat_history.erase_workflow(
                session, settings.icims.customer_id, workflow, actor=system_actor(f"cli-{getpass.getuser()}")
            )
    finally:
        engine.dispose()
    typer.echo(report.model_dump_json() if as_json else _summary(report))


def _confirmed(workflow: int) -> bool:
    if not sys.stdin.isatty():
        return False  # nobody to ask: a script must say --yes
    answer = typer.prompt(f"Erase every conversation and message of workflow {workflow}? Type 'erase'", default="")
    return bool(answer.strip().lower() == "erase")


def _summary(report: ErasureReport) -> str:
    return (
        f"workflow {report.workflow_id}: erased {report.threads} conversation(s), {report.steps} chat message(s), "
        f"{report.elements} attachment(s) and {report.messages} recruiter message(s); recorded in the audit trail"
    )
