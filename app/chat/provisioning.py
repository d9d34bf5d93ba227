"""What the chat, `ask` and `serve` need from configuration: the database, the index, iCIMS and drafted offers.

Nothing here knows the demo: the fixture, the tenant mapping, the policy and the benefits folder all come from
the settings. In sandbox mode (`icims.base_url = "sandbox"`) a sandbox is served from the configured fixture,
in this process: on a free port for `ask` and `link`, on `sandbox.port` for `serve`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from sqlalchemy.engine import Engine

from app.config import Settings
from app.links import Audience, issue_token
from app.sandbox_settings import sandbox_options
from app.security.storage import secure_data_dir
from app.wiring import engine_setup, icims_client
from icims.client import ICIMSClient
from icims.sandbox import RunningSandbox, Sandbox, serve_in_thread
from icims.search import where
from offer_engine import access
from offer_engine.actors import system_actor
from offer_engine.db import make_engine, session_scope
from offer_engine.flows import draft_from_icims
from offer_engine.migrations import upgrade
from offer_engine.offers import find_open_offer
from offer_engine.versions import current_version

log = logging.getLogger(__name__)
SYSTEM = system_actor("offer-assistant")
PORTAL_PATH = "/auth/portal"
CAREERS_PATH = "/careers"


def database(settings: Settings) -> Engine:
    """The configured database, migrated to the latest schema; the data directory made private first."""
    secure_data_dir(settings.data_dir)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    return engine


class IcimsGateway:
    """An iCIMS client for the configured tenant, made on first use; in sandbox mode it serves the fixture.

    `serve` passes the URL of the sandbox it runs on `sandbox.port`; otherwise, in sandbox mode, a sandbox is
    started on a free loopback port in this process and stopped by `close()`.
    """

    def __init__(self, settings: Settings, *, base_url: str | None = None) -> None:
        self.settings = settings
        self._base_url = base_url
        self._sandbox: RunningSandbox | None = None
        self._client: ICIMSClient | None = None

    def client(self) -> ICIMSClient:
        if self._client is None:
            self._client = icims_client(self.settings, base_url=self._url())
        return self._client

    def _url(self) -> str:
        if self._base_url is not None:
            return self._base_url
        if not self.settings.sandbox_mode:
            return self.settings.icims.base_url
        self._sandbox = serve_in_thread(Sandbox(self.settings.sandbox.fixture, sandbox_options(self.settings)))
        return self._sandbox.base_url

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._sandbox is not None:
            self._sandbox.stop()
        self._client, self._sandbox = None, None

    def __enter__(self) -> IcimsGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class OfferRef:
    offer_id: int
    workflow_id: int
    state: str
    candidate: str
    title: str | None
    ready: bool  # has terms (a current version); an offer waiting for data in iCIMS is not
    missing: tuple[str, ...] = ()  # what it waits for: each missing or unreadable field and why


def find_offer(db: Engine, settings: Settings, workflow_id: int) -> OfferRef | None:
    with session_scope(db) as session:
        offer = find_open_offer(session, settings.icims.customer_id, workflow_id)
        if offer is None or offer.id is None:
            return None
        version = current_version(session, offer)
        context = offer.attributes.get("letter_context") or {}
        return OfferRef(
            offer_id=offer.id,
            workflow_id=workflow_id,
            state=offer.state,
            candidate=str(context.get("candidate_name") or ""),
            title=version.offer_terms.title if version is not None else None,
            ready=version is not None,
            missing=tuple(f"{m.get('term')}: {m.get('detail')}" for m in offer.missing or []),
        )


def ensure_offer(db: Engine, settings: Settings, gateway: IcimsGateway, workflow_id: int, today: date) -> OfferRef:
    """The workflow's open offer, drafted from iCIMS first if there is none (else DomainError or ICIMSError)."""
    found = find_offer(db, settings, workflow_id)
    if found is not None and found.ready:
        return found
    setup = engine_setup(settings)
    with session_scope(db) as session:
        draft_from_icims(session, gateway.client(), setup, workflow_id, actor=SYSTEM, today=today)
    drafted = find_offer(db, settings, workflow_id)
    assert drafted is not None, "drafting opens an offer"
    return drafted


def offer_ready_workflows(settings: Settings, gateway: IcimsGateway) -> list[int]:
    """The workflows iCIMS has at one of the tenant's offer-ready statuses."""
    client = gateway.client()
    found: set[int] = set()
    for status in settings.tenant.offer_ready_statuses:
        found.update(client.search_ids("applicantworkflows", [where("applicantworkflow.status", status)]))
    return sorted(found)


def link_generation(db: Engine, settings: Settings, workflow_id: int) -> int:
    """The generation a new link for the workflow must carry (AccessDeniedError if its links are revoked)."""
    with session_scope(db) as session:
        return access.current_generation(session, settings.icims.customer_id, workflow_id)


def candidate_link(
    settings: Settings, db: Engine, offer: OfferRef, *, widget: bool = False, one_time: bool = False
) -> str:
    """A signed link to the offer's chat: the portal sign-in, or the careers page with the widget."""
    token = issue_token(
        settings.secret("security.link_signing_key"),
        audience=Audience.WIDGET if widget else Audience.PORTAL,
        workflow_id=offer.workflow_id,
        ttl_seconds=settings.security.link_ttl_hours * 3600,
        offer_id=offer.offer_id,
        generation=link_generation(db, settings, offer.workflow_id),
        one_time=one_time,
    )
    path = CAREERS_PATH if widget else PORTAL_PATH
    return f"{settings.public_url.rstrip('/')}{path}?{urlencode({'token': token})}"
