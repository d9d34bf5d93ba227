"""`offer-assistant serve`: everything in one process on the embedded defaults.

Order: database → iCIMS sandbox (sandbox mode, on `sandbox.port`, posting status changes to our webhook) → the
demo staff (sandbox mode) → benefits index (incremental) → background workers → an offer and a link for every
candidate iCIMS has at an offer-ready status → the chat app with the webhook route, under uvicorn on the port of
`public_url`. The staff come before the offers: a draft notifies the recruiters that exist when it is made.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from sqlalchemy.engine import Engine
from starlette.routing import BaseRoute

from app import wiring
from app.chat import provisioning
from app.chat.bootstrap import clear_session_files
from app.chat.provisioning import IcimsGateway, OfferRef
from app.config import Settings
from app.review.demo_staff import DemoCredential, ensure_demo_staff
from app.sandbox_settings import sandbox_options
from app.webhooks import WEBHOOK_PATH
from app.webhooks import router as webhook_router
from app.workers import WorkerThread, build_workers, on_stop_signals
from icims.errors import ICIMSError
from icims.sandbox import Sandbox, serve_in_thread
from offer_engine.errors import DomainError
from retrieval import IndexReport

log = logging.getLogger(__name__)
Say = Callable[[str], None]


@dataclass
class CandidateLink:
    workflow_id: int
    candidate: str
    title: str | None
    portal: str | None = None
    widget: str | None = None
    problem: str | None = None


@dataclass
class Services:
    """What `serve` started, for the announcement and for tests."""

    db: Engine
    gateway: IcimsGateway
    sandbox_url: str | None = None
    workers: WorkerThread | None = None
    index: IndexReport | None = None
    links: list[CandidateLink] = field(default_factory=list)
    staff: list[DemoCredential] = field(default_factory=list)  # sandbox mode: the demo staff's sign-ins


@contextmanager
def started_services(settings: Settings, *, say: Say, run_workers: bool = True) -> Iterator[Services]:
    """Start the sandbox, index and workers; stop them when the block ends."""
    with ExitStack() as stack:
        db = provisioning.database(settings)
        sandbox_url = None
        if settings.sandbox_mode:
            options = sandbox_options(settings, event_url=settings.sandbox.event_url or _webhook_url(settings))
            running = serve_in_thread(
                Sandbox(settings.sandbox.fixture, options), settings.sandbox.host, settings.sandbox.port
            )
            stack.callback(running.stop)
            sandbox_url = running.base_url
            say(f"iCIMS sandbox: {sandbox_url} (fixture {settings.sandbox.fixture})")
        gateway = stack.enter_context(IcimsGateway(settings, base_url=sandbox_url))
        services = Services(db=db, gateway=gateway, sandbox_url=sandbox_url)
        if settings.sandbox_mode:
            services.staff = ensure_demo_staff(settings, db)
        services.index = _index(settings, say)
        if run_workers:
            workers = build_workers(settings, db, worker_id=f"serve-{socket.gethostname()}-{os.getpid()}")
            stack.callback(workers.close)
            services.workers = WorkerThread(workers).start()
            stack.callback(_stop_workers, services.workers, shutdown_grace_seconds(settings))
        services.links = candidate_links(settings, db, gateway, today=date.today())
        yield services


def shutdown_grace_seconds(settings: Settings) -> float:
    """How long stopping waits for the worker's item in hand: one outbox delivery at its worst (token,
    read-back, write; the delivery client does not retry) plus a margin for recording it."""
    return 3 * settings.icims.timeout_seconds + 5.0


def _stop_workers(workers: WorkerThread, grace_seconds: float) -> None:
    log.info("stopping the workers: finishing the item in hand, returning claimed outbox jobs not yet started")
    if not workers.stop(grace_seconds):
        log.warning(
            "the worker did not finish within %.0f s; its job stays claimed until the lease expires and is then "
            "checked against iCIMS before any write is repeated",
            grace_seconds,
        )


def _webhook_url(settings: Settings) -> str:
    return f"{settings.public_url.rstrip('/')}{WEBHOOK_PATH}"


def _index(settings: Settings, say: Say) -> IndexReport | None:
    index = wiring.benefits_index(settings)
    try:
        report = index.build()
    except Exception as exc:  # the chat still answers from offers without the index; say why benefits can't
        log.exception("benefits indexing failed")
        say(f"benefits index: NOT available ({exc}); benefits questions will be handed to recruiters")
        return None
    changed = len(report.added) + len(report.changed) + len(report.removed)
    say(f"benefits index: {report.chunks_total} passages from {settings.benefits_dir} ({changed} documents updated)")
    return report


def candidate_links(settings: Settings, db: Engine, gateway: IcimsGateway, *, today: date) -> list[CandidateLink]:
    """A portal and a careers-widget link for every workflow at an offer-ready status (drafting offers if needed)."""
    try:
        workflows = provisioning.offer_ready_workflows(settings, gateway)
    except ICIMSError as exc:
        log.warning("cannot list offer-ready workflows: %s", exc)
        return []
    links = []
    for workflow_id in workflows:
        try:
            offer = provisioning.ensure_offer(db, settings, gateway, workflow_id, today)
        except (DomainError, ICIMSError) as exc:
            links.append(CandidateLink(workflow_id, "", None, problem=str(exc)))
            continue
        links.append(_links_for(settings, db, offer))
    return links


def _links_for(settings: Settings, db: Engine, offer: OfferRef) -> CandidateLink:
    found = CandidateLink(offer.workflow_id, offer.candidate, offer.title)
    if not offer.ready:
        found.problem = f"offer {offer.offer_id} is waiting for data in iCIMS ({offer.state})"
        return found
    found.portal = provisioning.candidate_link(settings, db, offer)
    found.widget = provisioning.candidate_link(settings, db, offer, widget=True)
    return found


def announce(settings: Settings, services: Services, say: Say) -> None:
    base = settings.public_url.rstrip("/")
    say("")
    say("Candidate portal links (each opens that candidate's chat):")
    for link in services.links:
        who = f"{link.candidate or '?'} - {link.title or '?'} (workflow {link.workflow_id})"
        say(f"  {who}: {link.portal}" if link.portal else f"  {who}: no link, {link.problem}")
    widget = next((link for link in services.links if link.widget), None)
    say(f"Careers page: {base}/careers")
    if widget is not None:
        say(f"Careers page with the chat widget, as {widget.candidate or widget.workflow_id}: {widget.widget}")
    say(f"Recruiter sign-in: {base}/login")
    for staff in services.staff:
        roles = ", ".join(role.value for role in staff.roles)
        say(f"  {staff.display_name} ({roles}): username {staff.username}, password {staff.password}")
    say(f"iCIMS webhook: POST {base}{WEBHOOK_PATH}")
    say(f"Chat app: {base}/  (health: {base}/health)")


def install_webhook(app: Any, settings: Settings, services: Services) -> None:
    """The iCIMS webhook route, in front of Chainlit's routes; a stored event wakes the workers."""
    wake = services.workers.wake if services.workers is not None else None
    routes: list[BaseRoute] = list(webhook_router(settings, services.db, on_stored=wake).routes)
    app.router.routes[0:0] = routes


def run_app(app: Any, settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the app until interrupted, on `port` or else the port of `public_url` (behind a TLS-terminating
    proxy `public_url` is the proxy's https address while the app listens on a local port)."""
    public = urlsplit(settings.public_url)
    port = port or public.port or (443 if public.scheme == "https" else 80)
    # lifespan="off": Chainlit's lifespan ends the process with os._exit on shutdown, skipping our cleanup.
    config = uvicorn.Config(
        app,
        host=host or public.hostname or "127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        log_config=None,  # our JSON logging (app.observability) is configured by `serve`
    )
    keep_running_cleanup_after_sigterm()
    try:
        uvicorn.Server(config).run()
    finally:
        clear_session_files(settings)


def keep_running_cleanup_after_sigterm() -> None:
    """uvicorn stops gracefully on SIGTERM or Ctrl-C and then raises the signal again with the handler that was in
    place before it started. With Python's defaults the process would end there (SIGTERM) or unwind with a
    KeyboardInterrupt (exit 130), while the workers may still have an outbox job in hand. This handler only logs
    the first signal, so `serve`'s clean-up runs and the process exits normally; a second Ctrl-C aborts."""
    if threading.current_thread() is not threading.main_thread():
        return  # signals can only be handled in the main thread (e.g. tests serving from a thread)
    on_stop_signals(lambda signum: log.info("received %s: shutting down", signal.Signals(signum).name))
