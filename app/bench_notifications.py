"""`offer-assistant bench --only notifications`: a due approval step's mail leaves within one worker round.

On a private copy of the sandbox and a fresh database, with a real local SMTP server (aiosmtpd on loopback):
`runs` offers are drafted from iCIMS (their draft mails flushed by one round), then, one at a time, an offer is
submitted for approval (its first step becomes due for the compensation partner) and one worker round runs. The
figures: in how many rounds each approver's mail left (target: one), the round's duration, and duplicates
(mails received beyond one per notification; target 0).
"""

from __future__ import annotations

import json
import socket
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from app.config import ConfigError, Settings
from app.mail_sandbox import LocalMailServer
from app.review.runtime import chat_link_minter
from app.sandbox_settings import sandbox_options
from app.wiring import engine_setup, icims_client
from app.workers import Workers, build_notifier
from icims.sandbox import FixtureError, Sandbox, add_offer_ready_candidates, serve_in_thread
from offer_engine import approvals, flows, notifications, offers, staff
from offer_engine.actors import Role, system_actor, user_actor
from offer_engine.analytics import percentile
from offer_engine.db import make_engine, session_scope
from offer_engine.intake import read_terms
from offer_engine.mail import SmtpSettings
from offer_engine.migrations import upgrade
from offer_engine.notifications import NotificationKind, NotificationState
from offer_engine.offers import OfferState
from offer_engine.policy import ApprovalStepSpec

TARGET_ROUNDS = 1
STEP = ApprovalStepSpec(
    key="compensation_review",
    name="Compensation review",
    approver_role=Role.COMPENSATION.value,
    sla_hours=24,
    reasons=["benchmark"],
)


class NotificationBench(BaseModel):
    runs: int
    rounds_max: int  # the most rounds any approver's mail needed (target 1)
    within_one_round: int
    round_p50_ms: float
    round_p95_ms: float
    mails: int
    duplicates: int


def run_benchmark(settings: Settings, *, runs: int = 10, echo: Callable[[str], None] = print) -> NotificationBench:
    if not settings.sandbox_mode:
        raise ConfigError("the notification benchmark runs against the local sandbox (icims.base_url = 'sandbox')")
    with tempfile.TemporaryDirectory(prefix="offer-bench-mail-") as tmp:
        folder = Path(tmp)
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        upgrade(engine)
        mail = LocalMailServer(folder / "mail", port=_free_port()).start()
        host, port = mail.address
        smtp = SmtpSettings(host=host, port=port, from_address=settings.notifications.smtp.from_address)
        local = settings.model_copy(
            update={
                "data_dir": folder,
                "notifications": settings.notifications.model_copy(update={"smtp": smtp}),
            }
        )
        fixture, workflow_ids = _fixture(local, runs)
        running = serve_in_thread(Sandbox(fixture, sandbox_options(local)))
        fetch = icims_client(local, base_url=running.base_url, max_retries=0)
        minter = chat_link_minter(local)
        workers = Workers(
            engine,
            engine_setup(local),
            fetch_client=fetch,
            delivery_client=icims_client(local, base_url=running.base_url, max_retries=0),
            worker_id="bench-notify",
            mint_link=minter,
            notifier=build_notifier(local, fetch, minter),
        )
        try:
            result = _measure(engine, workers, fetch, workflow_ids, mail, echo)
        finally:
            workers.close()
            mail.stop()
            running.stop()
            engine.dispose()
    echo(
        f"due approval step → mail: within {result.rounds_max} round(s) at most "
        f"({result.within_one_round}/{result.runs} in one; target ≤ {TARGET_ROUNDS}); "
        f"round p50 {result.round_p50_ms:.0f} ms, p95 {result.round_p95_ms:.0f} ms; "
        f"{result.mails} mails, {result.duplicates} duplicates (target 0)"
    )
    return result


def _measure(
    engine: Any,
    workers: Workers,
    client: Any,
    workflow_ids: list[int],
    mail: LocalMailServer,
    echo: Callable[[str], None],
) -> NotificationBench:
    recruiter = user_actor("bench.recruiter", Role.RECRUITER)
    with session_scope(engine) as session:
        staff.create_user(
            session,
            username="bench.comp",
            display_name="Bench Compensation",
            roles=[Role.COMPENSATION],
            actor=system_actor("bench"),
            email="bench.comp@example.com",
        )
    setup = workers.setup
    offer_ids = []
    for workflow_id in workflow_ids:
        with session_scope(engine) as session:
            outcome = flows.draft_from_icims(
                session, client, setup, workflow_id, actor=system_actor("bench"), today=date.today()
            )
            if outcome.offer.status is OfferState.DRAFT:
                offers.transition(session, outcome.offer, OfferState.IN_REVIEW, actor=recruiter, reason="benchmark")
            offer_ids.append(outcome.offer.id or 0)
    workers.run_once()  # the drafts' own mails go first
    echo(f"{len(offer_ids)} offers drafted; {len(mail.messages())} draft mails sent")
    rounds, durations = [], []
    for offer_id in offer_ids:
        with session_scope(engine) as session:
            offer = offers.get_offer(session, offer_id)
            request = approvals.start_chain(session, offer, [STEP], actor=recruiter)
        for n in range(1, 6):
            started = time.perf_counter()
            workers.run_once()
            durations.append((time.perf_counter() - started) * 1000)
            with session_scope(engine) as session:
                if _step_mail_sent(session, request.id or 0):
                    rounds.append(n)
                    break
        else:
            rounds.append(99)
    with session_scope(engine) as session:
        sent = session.exec(
            select(notifications.Notification).where(
                notifications.Notification.channel == "email",
                notifications.Notification.state == NotificationState.DELIVERED.value,
            )
        ).all()
    received = mail.messages()
    ordered = sorted(durations)
    return NotificationBench(
        runs=len(rounds),
        rounds_max=max(rounds),
        within_one_round=sum(1 for r in rounds if r <= TARGET_ROUNDS),
        round_p50_ms=round(percentile(ordered, 50), 1),
        round_p95_ms=round(percentile(ordered, 95), 1),
        mails=len(received),
        duplicates=max(0, len(received) - len(sent)),
    )


def _step_mail_sent(session: Session, request_id: int) -> bool:
    steps = approvals.ApprovalStep
    [step_id] = session.exec(select(steps.id).where(steps.request_id == request_id))
    prefix = f"{NotificationKind.APPROVAL_WAITING.value}:step:{step_id}:user:"
    statement = select(notifications.Notification).where(
        col(notifications.Notification.idempotency_key).startswith(prefix),
        notifications.Notification.state == NotificationState.DELIVERED.value,
    )
    return session.exec(statement).first() is not None


def _fixture(settings: Settings, copies: int) -> tuple[dict[str, Any], list[int]]:
    data: dict[str, Any] = json.loads(settings.sandbox.fixture.read_text(encoding="utf-8"))
    mapping = settings.tenant
    try:
        synthetic = add_offer_ready_candidates(
            data, mapping, copies, today=date.today(), usable=lambda bundle: not read_terms(bundle, mapping).missing
        )
    except FixtureError as exc:
        raise ConfigError(f"cannot make benchmark candidates from the sandbox fixture: {exc}") from exc
    return synthetic.fixture, synthetic.workflow_ids


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
