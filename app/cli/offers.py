"""`offer-assistant draft | approvals | queue | sync | worker | audit`: the offer engine from the command line.

Acting commands take ``--as USER`` and ``--role ROLE`` (repeatable): the engine checks the roles exactly as it
does for the web UI. The iCIMS connection is the configured one (the local sandbox in sandbox mode).
"""

from __future__ import annotations

import getpass
import os
import signal
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.engine import Engine

from app import wiring
from app.cli.context import settings_of
from app.config import Settings
from app.review.runtime import chat_link_minter
from app.wiring import icims_client
from icims.errors import ICIMSError
from offer_engine import approval_inbox, audit, counters, lifecycle, offers
from offer_engine.actors import Actor, Role, user_actor
from offer_engine.db import make_engine, session_scope
from offer_engine.delivery import deliver_due
from offer_engine.errors import DomainError
from offer_engine.flows import DraftOutcome, EngineSetup, draft_from_icims
from offer_engine.letter_store import Letter
from offer_engine.migrations import upgrade
from offer_engine.policy import PolicyError

AsUser = Annotated[str, typer.Option("--as", help="Your user id (recorded in the audit trail).")]
Roles = Annotated[
    list[Role], typer.Option("--role", help="Your role(s): recruiter, hiring_manager, compensation, legal, admin.")
]


def register(cli: typer.Typer) -> None:
    cli.command("draft")(draft)
    cli.command("sync")(sync)
    cli.command("worker")(worker)
    approvals_app = typer.Typer(help="Approval chains: list, preview, submit, approve, reject.", no_args_is_help=True)
    approvals_app.command("list")(approvals_list)
    approvals_app.command("preview")(approvals_preview)
    approvals_app.command("submit")(approvals_submit)
    approvals_app.command("approve")(approvals_approve)
    approvals_app.command("reject")(approvals_reject)
    cli.add_typer(approvals_app, name="approvals")
    queue_app = typer.Typer(help="The counter-offer queue.", no_args_is_help=True)
    queue_app.command("list")(queue_list)
    queue_app.command("show")(queue_show)
    cli.add_typer(queue_app, name="queue")
    audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
    audit_app.command("verify")(audit_verify)
    cli.add_typer(audit_app, name="audit")


# -- wiring -----------------------------------------------------------------------------------------------


def _engine(settings: Settings) -> Engine:
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    return engine


def engine_setup(settings: Settings) -> EngineSetup:
    """`app.wiring.engine_setup`, with an unusable policy reported as a CLI error."""
    try:
        return wiring.engine_setup(settings)
    except PolicyError as exc:
        _fail(f"the company policy cannot be used: {exc}")


def _actor(user: str | None, roles: list[Role] | None) -> Actor:
    return user_actor(user or getpass.getuser(), *(roles or []))


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


# -- draft ------------------------------------------------------------------------------------------------


def draft(
    ctx: typer.Context,
    workflow: Annotated[int, typer.Option("--workflow", help="iCIMS applicant workflow id.")],
    write_to_icims: Annotated[bool, typer.Option(help="Queue the draft PDF and 'Generated' status for iCIMS.")] = False,
    user: AsUser = "",
    role: Roles = [Role.RECRUITER],  # noqa: B006 - typer reads the default
) -> None:
    """Pull the workflow from iCIMS, create or refresh its offer, render and check the letter."""
    settings = settings_of(ctx)
    engine, setup = _engine(settings), engine_setup(settings)
    try:
        with icims_client(settings) as client, session_scope(engine) as session:
            outcome = draft_from_icims(
                session, client, setup, workflow, actor=_actor(user, role), today=date.today(),
                write_draft_to_icims=write_to_icims,
            )  # fmt: skip
            _print_draft(settings, outcome)
    except (DomainError, ICIMSError, ValueError) as exc:
        _fail(f"cannot draft workflow {workflow}: {exc}")


def _print_draft(settings: Settings, outcome: DraftOutcome) -> None:
    offer = outcome.offer
    verb = "created" if outcome.created else "refreshed"
    typer.echo(f"offer {offer.id} for workflow {offer.workflow_id} {verb}: state {offer.state}")
    if outcome.missing:
        typer.echo("missing data (nothing was guessed):")
        for item in outcome.missing:
            typer.echo(f"  - {item.term} [{item.reason}] tried {', '.join(item.tried) or 'no field'}: {item.detail}")
        return
    if outcome.version is not None:
        change = "new" if outcome.new_version else "unchanged"
        typer.echo(f"version {outcome.version.number} ({change}, {outcome.version.reason_kind})")
    letter = outcome.letter
    if letter is None:
        return
    typer.echo(f"compliance: {'PASSED' if letter.compliance_passed else 'FAILED'} (template {letter.template_id})")
    typer.echo(f"  clauses: {', '.join(letter.clause_ids) or '-'}")
    for finding in letter.compliance_findings:
        typer.echo(f"  - {finding['code']} {finding.get('clause_id') or ''}: {finding['message']}")
    typer.echo(f"pdf: {_save_pdf(settings, letter)}")


def _save_pdf(settings: Settings, letter: Letter) -> Path | str:
    if letter.pdf is None:
        return "(none)"
    path = settings.data_dir / "letters" / letter.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(letter.pdf)
    return path


# -- approvals --------------------------------------------------------------------------------------------


def approvals_list(ctx: typer.Context, user: AsUser = "", role: Roles = [Role.ADMIN]) -> None:  # noqa: B006
    """Open approval steps you may decide, most urgent first."""
    engine = _engine(settings_of(ctx))
    with session_scope(engine) as session:
        rows = approval_inbox.open_steps_for(session, _actor(user, role))
        if not rows:
            typer.echo("no open approval steps")
        for step, request in rows:
            due = step.due_at.strftime("%Y-%m-%d %H:%M UTC") if step.due_at else "-"
            escalated = f" (escalated x{step.escalation_level})" if step.escalation_level else ""
            typer.echo(
                f"step {step.id}: offer {request.offer_id} v{request.version_number} · {step.name} · "
                f"role {step.approver_role} · quorum {step.quorum} · due {due}{escalated}"
            )
            for reason in step.reasons:
                typer.echo(f"    why: {reason}")


def approvals_preview(ctx: typer.Context, offer: Annotated[int, typer.Option("--offer")]) -> None:
    """The steps the offer's current version would need (nothing is submitted)."""
    settings = settings_of(ctx)
    engine, setup = _engine(settings), engine_setup(settings)
    with session_scope(engine) as session:
        try:
            steps = lifecycle.preview_steps(session, offer, setup)
        except DomainError as exc:
            _fail(str(exc))
        typer.echo("no approval needed" if not steps else f"{len(steps)} step(s):")
        for spec in steps:
            typer.echo(f"  {spec.name} · role {spec.approver_role} · quorum {spec.quorum} · {spec.sla_hours} h")
            for reason in spec.reasons:
                typer.echo(f"    why: {reason}")


def approvals_submit(
    ctx: typer.Context,
    offer: Annotated[int, typer.Option("--offer")],
    user: AsUser = "",
    role: Roles = [Role.RECRUITER],  # noqa: B006
) -> None:
    """Submit the offer's current version (its letter must have passed compliance) for approval."""
    settings = settings_of(ctx)
    engine, setup = _engine(settings), engine_setup(settings)
    try:
        with session_scope(engine) as session:
            request = lifecycle.submit_for_approval(session, offer, setup, actor=_actor(user, role))
            steps = approval_inbox.steps_of(session, request.id or 0)
            typer.echo(f"approval request {request.id}: {request.state}, {len(steps)} step(s)")
    except DomainError as exc:
        _fail(f"cannot submit offer {offer}: {exc}")


def _decide(ctx: typer.Context, step: int, user: str, role: list[Role], approve: bool, comment: str | None) -> None:
    settings = settings_of(ctx)
    engine, setup = _engine(settings), engine_setup(settings)
    try:
        with session_scope(engine) as session:
            outcome = lifecycle.decide(session, step, setup, actor=_actor(user, role), approve=approve, comment=comment)
            typer.echo(
                f"step {step}: {outcome.step.state}; request {outcome.request.state}; offer {outcome.offer.state}"
            )
    except DomainError as exc:
        _fail(f"cannot decide step {step}: {exc}")


def approvals_approve(
    ctx: typer.Context,
    step: Annotated[int, typer.Argument(help="Approval step id (see `approvals list`).")],
    comment: Annotated[str | None, typer.Option("--comment")] = None,
    user: AsUser = "",
    role: Roles = [],  # noqa: B006
) -> None:
    """Approve a step (needs its approver role, or to be its named approver)."""
    _decide(ctx, step, user, role, True, comment)


def approvals_reject(
    ctx: typer.Context,
    step: Annotated[int, typer.Argument(help="Approval step id (see `approvals list`).")],
    comment: Annotated[str, typer.Option("--comment", help="Why (required).")],
    user: AsUser = "",
    role: Roles = [],  # noqa: B006
) -> None:
    """Reject a step: the offer goes back to review."""
    _decide(ctx, step, user, role, False, comment)


# -- queue ------------------------------------------------------------------------------------------------


def queue_list(ctx: typer.Context) -> None:
    """Open counter-offers, earliest SLA first."""
    with session_scope(_engine(settings_of(ctx))) as session:
        rows = counters.queue(session)
        if not rows:
            typer.echo("the counter-offer queue is empty")
        for counter in rows:
            items = ", ".join(i.term for i in counters.items_of(session, counter.id or 0))
            holder = f" · claimed by {counter.claimed_by}" if counter.claimed_by else ""
            typer.echo(
                f"counter {counter.id}: offer {counter.offer_id} v{counter.version_number} · {counter.state} · "
                f"due {counter.due_at:%Y-%m-%d %H:%M} UTC · {items}{holder}"
            )


def queue_show(ctx: typer.Context, counter: Annotated[int, typer.Argument(help="Counter-offer id.")]) -> None:
    """One counter-offer with its items, rationale and source message."""
    with session_scope(_engine(settings_of(ctx))) as session:
        try:
            row = counters.get_counter(session, counter)
        except DomainError as exc:
            _fail(str(exc))
        offer = offers.get_offer(session, row.offer_id)
        typer.echo(f"counter-offer {row.id} (#{row.number}) on offer {offer.id}, workflow {offer.workflow_id}")
        typer.echo(
            f"state {row.state}{f' ({row.resolution})' if row.resolution else ''} · due {row.due_at:%Y-%m-%d %H:%M} UTC"
        )
        for item in counters.items_of(session, counter):
            granted = f" → granted {item.granted}" if item.granted is not None else ""
            typer.echo(f"  {item.term}: {item.current} → {item.requested} {item.currency or ''}{granted}".rstrip())
        for label, value in (("rationale", row.rationale), ("competing offer", row.competing_offer),
                             ("message", row.source_message_text)):  # fmt: skip
            if value:
                typer.echo(f"{label}: {value}")
        for reason in row.resolution_reasons:
            typer.echo(f"reason: {reason}")


# -- sync, worker, audit ----------------------------------------------------------------------------------


def sync(ctx: typer.Context) -> None:
    """Deliver the due outbox jobs to iCIMS once."""
    settings = settings_of(ctx)
    engine = _engine(settings)
    with icims_client(settings, max_retries=0) as client:
        result = deliver_due(engine, client, worker_id=f"cli-{getpass.getuser()}", mint_link=chat_link_minter(settings))
    typer.echo(
        f"delivered {len(result.delivered)} (already there {len(result.already_present)}), "
        f"retrying {len(result.retrying)}, dead {len(result.dead)}, lost {len(result.lost)}"
    )


def worker(
    ctx: typer.Context,
    interval: Annotated[float, typer.Option(help="Seconds between rounds.")] = 5.0,
    rounds: Annotated[int, typer.Option(help="Stop after this many rounds (0 = run until stopped).")] = 0,
) -> None:
    """Run the background work: stored iCIMS notifications → drafts, outbox delivery, escalation, expiry.

    Safe to run in several processes on PostgreSQL. SIGTERM or Ctrl-C finishes the item in hand, gives back
    claimed outbox jobs not yet started, then stops (a second Ctrl-C aborts).
    """
    from app.observability import configure_logging, request_id_scope
    from app.workers import build_workers, on_stop_signals

    settings = settings_of(ctx)
    configure_logging(settings)
    workers = build_workers(settings, _engine(settings), worker_id=f"worker-{getpass.getuser()}-{os.getpid()}")
    previous = on_stop_signals(lambda _signum: workers.stopping.set())
    done = 0
    try:
        while not workers.stopping.is_set() and (rounds == 0 or done < rounds):
            with request_id_scope():
                report = workers.run_once()
            if report.busy or report.escalated or report.expired:
                typer.echo(
                    f"{datetime.now(UTC):%H:%M:%S} events {len(report.events_processed)}, "
                    f"delivered {report.delivered}, retrying {report.retrying}, dead {report.dead}; "
                    f"escalated {report.escalated}; expired {report.expired}"
                )
            done += 1
            if rounds == 0 or done < rounds:
                workers.stopping.wait(interval)
    except KeyboardInterrupt:
        workers.stopping.set()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        workers.close()


def audit_verify(ctx: typer.Context) -> None:
    """Check the whole audit chain; exit 1 if any event was edited, deleted or reordered."""
    with session_scope(_engine(settings_of(ctx))) as session:
        report = audit.verify_chain(session)
    if report.ok:
        typer.echo(f"audit chain OK: {report.events_checked} events, last {report.last_seq}")
        return
    typer.echo(f"audit chain BROKEN: {len(report.problems)} problem(s) in {report.events_checked} events", err=True)
    for problem in report.problems:
        typer.echo(f"  - [{problem.kind}] {problem.message}", err=True)
    raise typer.Exit(1)
