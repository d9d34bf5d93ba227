"""What the review mode needs at run time, configured once by the app (or lazily from the settings)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from app.config import Settings, load_settings
from app.links import Audience, issue_token
from offer_engine.db import make_engine
from offer_engine.flows import EngineSetup
from offer_engine.release import LinkGrant, LinkMinter

PORTAL_PATH = "/auth/portal"


@dataclass
class ReviewRuntime:
    settings: Settings
    engine: Engine
    setup: EngineSetup
    mint_link: LinkMinter
    wake_worker: Callable[[], None] | None = None
    hasher: PasswordHasher | None = None  # None: offer_engine.staff's default argon2id parameters

    def wake(self) -> None:
        if self.wake_worker is not None:
            self.wake_worker()


_lock = threading.Lock()
_current: ReviewRuntime | None = None


def chat_link_minter(settings: Settings, *, path: str = PORTAL_PATH) -> LinkMinter:
    """Mints the candidate's portal link: a signed token (app.links) valid until the grant's expiry."""
    key = settings.secret("security.link_signing_key")
    base = settings.public_url.rstrip("/")

    def mint(grant: LinkGrant) -> str:
        now = int(time.time())  # the token expires exactly at the grant's expiry
        token = issue_token(
            key,
            audience=Audience.PORTAL,
            workflow_id=grant.workflow_id,
            ttl_seconds=int(grant.expires_at.timestamp()) - now,
            offer_id=grant.offer_id,
            generation=grant.generation,
            now=now,
        )
        return f"{base}{path}?token={token}"

    return mint


def configure(
    settings: Settings,
    engine: Engine,
    *,
    setup: EngineSetup | None = None,
    mint_link: LinkMinter | None = None,
    wake_worker: Callable[[], None] | None = None,
    hasher: PasswordHasher | None = None,
) -> ReviewRuntime:
    """Set the runtime the handlers and sign-in callbacks use (call once at start-up; tests call it per test)."""
    from app.wiring import engine_setup

    global _current
    runtime = ReviewRuntime(
        settings=settings,
        engine=engine,
        setup=setup or engine_setup(settings),
        mint_link=mint_link or chat_link_minter(settings),
        wake_worker=wake_worker,
        hasher=hasher,
    )
    with _lock:
        _current = runtime
    return runtime


def current() -> ReviewRuntime:
    """The configured runtime; without `configure`, one built from the default settings file."""
    with _lock:
        runtime = _current
    if runtime is not None:
        return runtime
    settings = load_settings()
    return configure(settings, make_engine(settings.resolved_database_url))
