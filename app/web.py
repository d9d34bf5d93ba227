# mypy: disable-error-code="no-untyped-call"
# (Chainlit's API is not annotated: calls into it are untyped.)
"""The HTTP side of the chat app: portal-link sign-in and the careers page with the chat widget.

Routes are added to Chainlit's own FastAPI app and moved to the front of its route list, because Chainlit
serves its single-page app from a GET catch-all (``/{full_path:path}``) that would otherwise answer first.

- ``GET /auth/portal?token=…``: a valid portal link sets Chainlit's session cookie and opens the chat; a forged,
  tampered, expired, replaced or reused link gets an explanatory page with HTTP 401, never a chat.
- ``GET /careers?token=…``: a demo careers page; with a valid widget link it embeds Chainlit's copilot widget,
  authenticated by a short-lived Chainlit token minted here (the browser never sees a long-lived secret).
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import importlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from app import wiring
from app.chat import provisioning
from app.chat.bootstrap import prepare_chainlit
from app.chat.contacts import IcimsContactBook
from app.chat.history_routes import history_routes, latest_thread_of
from app.chat.identity import CandidateIdentity
from app.chat.provisioning import CAREERS_PATH, PORTAL_PATH, IcimsGateway
from app.chat.runtime import ChatRuntime, configure, current
from app.chat.signin import SignInRefusedError, sign_in
from app.config import Settings
from app.health import ReadinessChecks, health_router, icims_probe_for, install_front, vector_store_probe
from app.links import Audience
from app.observability import RequestIdMiddleware
from app.pipeline import AnswerPipeline
from app.ratelimit import (
    DatabaseBuckets,
    MemoryBuckets,
    RateLimiter,
    client_ip,
    too_many_requests_response,
)
from app.review.deep_link import install_deep_link
from app.security import sessions
from app.security.cookies import apply_cookie_policy, set_session_cookie
from app.security.guard import SessionGuard
from app.security.headers import SecurityHeaders
from app.security.origins import OriginGuard
from app.security.routes import session_routes
from app.security.socket_guard import guard_socket_events
from offer_engine.db import is_postgres
from offer_engine.web_sessions import SessionKind

if TYPE_CHECKING:
    from fastapi import FastAPI

_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


def create_app(
    settings: Settings,
    *,
    runtime: ChatRuntime | None = None,
    gateway: IcimsGateway | None = None,
    wake_worker: Callable[[], None] | None = None,
) -> FastAPI:
    """Chainlit's ASGI app with the candidate handlers, the review mode and our routes, wired to `runtime`."""
    prepare_chainlit(settings)
    from chainlit.server import app as chainlit_app  # only now: importing Chainlit reads the config written above

    importlib.import_module("app.chat.handlers")  # registers the Chainlit callbacks
    importlib.import_module("app.chat.resume")  # a returning candidate's conversation
    importlib.import_module("app.chat.history").install_history()  # Chainlit's data layer on our database
    chat_runtime = runtime or build_runtime(settings, gateway)
    if wake_worker is not None:
        chat_runtime = dataclasses.replace(chat_runtime, wake_worker=wake_worker)
    configure(chat_runtime)
    from app.modes import install_review_mode  # imports Chainlit too: after prepare_chainlit

    install_review_mode(settings, chat_runtime.db, wake_worker=wake_worker)
    install_routes(chainlit_app)
    install_front(chainlit_app, health_router(readiness_checks(settings, chat_runtime.db)))
    install_security(chainlit_app, settings)
    install_deep_link(chainlit_app, _settings)  # innermost: the guards and security headers see the redirect
    if not any(getattr(m, "cls", None) is RequestIdMiddleware for m in chainlit_app.user_middleware):
        chainlit_app.add_middleware(RequestIdMiddleware)
    return chainlit_app


def _settings() -> Settings:
    return current().settings


def _settings_and_db() -> tuple[Settings, Engine]:
    runtime = current()
    return runtime.settings, runtime.db


def install_security(app: Any, settings: Settings) -> None:
    """Origin allow-list, sessions we own (every request and socket event), security headers, Secure cookies.

    Socket.IO's own origin check stays off as Chainlit sets it: with a list it adds a second
    Access-Control-Allow-Origin next to Chainlit's CORS middleware, and browsers refuse both (the browser test of
    the widget on another origin found this); `OriginGuard` checks every Socket.IO request instead.

    The guards read the configured runtime on each request, so a later `create_app` (tests) re-points them."""
    apply_cookie_policy(settings)
    guard_socket_events(_settings_and_db)
    present = {getattr(m, "cls", None) for m in app.user_middleware}
    if SecurityHeaders not in present:  # innermost: it sees the HTML before Chainlit's gzip compresses it
        app.user_middleware.append(Middleware(SecurityHeaders, settings=_settings))
    if SessionGuard not in present:
        app.add_middleware(SessionGuard, runtime=_settings_and_db)
    if OriginGuard not in present:
        app.add_middleware(OriginGuard, settings=_settings)  # outermost: a foreign origin gets nothing further


def build_runtime(settings: Settings, gateway: IcimsGateway | None = None) -> ChatRuntime:
    db = provisioning.database(settings)
    contacts = IcimsContactBook(gateway.client, settings.tenant) if gateway is not None else None
    pipeline = AnswerPipeline.from_settings(settings, db, wiring.benefits_index(settings), contacts)
    # Several app processes on one PostgreSQL share their buckets; one SQLite process keeps them in memory.
    buckets = DatabaseBuckets(db) if is_postgres(db) else MemoryBuckets()
    limiter = RateLimiter(settings.security.limits, buckets)
    return ChatRuntime(settings=settings, db=db, pipeline=pipeline, limiter=limiter)


def readiness_checks(settings: Settings, db: Engine) -> ReadinessChecks:
    """Database, vector store, iCIMS and events ended without a draft. iCIMS being down (or such events)
    degrades the app (offers are local) but does not take the process out of the load balancer."""
    return ReadinessChecks.of(
        database=db,
        vector_store=vector_store_probe(wiring.retrieval_config(settings)),
        icims=icims_probe_for(settings),
        icims_required=False,
        events=db,
    )


async def _rate_limited(runtime: ChatRuntime, kind: str, request: Request) -> Response | None:
    decision = await runtime.limiter.atake(kind, client_ip(request.scope))
    return None if decision.allowed else too_many_requests_response(decision)


def install_routes(app: Any) -> None:
    """Put our GET routes in front of Chainlit's catch-all (idempotent: an earlier install is replaced)."""
    ours = [
        Route(PORTAL_PATH, portal_sign_in, methods=["GET"], name="candidate_portal_sign_in"),
        Route(CAREERS_PATH, careers_page, methods=["GET"], name="careers_page"),
        *session_routes(),
        *history_routes(),
    ]
    names = {route.name for route in ours}
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "name", None) not in names]
    app.router.routes[0:0] = ours


# -- sign-in ---------------------------------------------------------------------------------------------------


async def portal_sign_in(request: Request) -> Response:
    runtime = current()
    refused = await _rate_limited(runtime, "link", request)
    if refused is not None:
        return refused
    token = request.query_params.get("token", "")
    try:
        identity = await asyncio.to_thread(
            sign_in, runtime.settings, runtime.db, token, audience=Audience.PORTAL, channel="portal"
        )
    except SignInRefusedError as exc:
        return refusal_page(runtime.settings, exc.reason)
    expires = session_expiry(identity, runtime.settings.security.link_ttl_hours * 3600)
    token = await asyncio.to_thread(candidate_session_token, runtime.settings, runtime.db, identity, expires)
    await _persist_user(identity)
    # a returning candidate reopens their conversation
    thread_id = await asyncio.to_thread(latest_thread_of, runtime.settings, runtime.db, identity.user_identifier)
    response = RedirectResponse(f"/thread/{thread_id}" if thread_id else "/", status_code=303, headers=_PRIVATE)
    set_session_cookie(runtime.settings, response, token, expires)
    return response


def session_expiry(identity: CandidateIdentity, ttl_seconds: int, now: float | None = None) -> int:
    """A candidate session ends at its link's own expiry, or after `ttl_seconds`, whichever comes first."""
    limit = int(time.time() if now is None else now) + ttl_seconds
    return min(limit, identity.link_expires_at) if identity.link_expires_at else limit


def candidate_session_token(settings: Settings, db: Engine, identity: CandidateIdentity, expires: int) -> str:
    """A session row for the candidate and the Chainlit token naming it, both ending at `expires`."""
    kind = SessionKind.WIDGET if identity.channel == "widget" else SessionKind.CANDIDATE
    sid = sessions.open_for(
        db, kind=kind, subject=identity.user_identifier, expires_at=datetime.fromtimestamp(expires, UTC)
    )
    metadata = sessions.with_session(identity.to_metadata(), sid)
    return sessions.mint(
        settings, identifier=identity.user_identifier, display_name=identity.display_name, metadata=metadata,
        exp=expires,
    )  # fmt: skip


async def _persist_user(identity: CandidateIdentity) -> None:
    import chainlit as cl
    from chainlit.data import get_data_layer

    if data_layer := get_data_layer():  # keep a persisted user's metadata in step with the link
        user = cl.User(
            identifier=identity.user_identifier, display_name=identity.display_name, metadata=identity.to_metadata()
        )
        await data_layer.create_user(user)


def widget_access_token(settings: Settings, db: Engine, identity: CandidateIdentity) -> str:
    """A Chainlit JWT for the copilot widget, valid for `security.widget_token_ttl_minutes` (never past the link's
    expiry); its session ends then too, however often the widget presents it to /auth/jwt."""
    expires = session_expiry(identity, settings.security.widget_token_ttl_minutes * 60)
    return candidate_session_token(settings, db, identity, expires)


# -- pages -----------------------------------------------------------------------------------------------------


async def careers_page(request: Request) -> Response:
    runtime = current()
    settings = runtime.settings
    token = request.query_params.get("token")
    if not token:
        return HTMLResponse(_careers_html(settings, widget_token=None), headers=_PRIVATE)
    refused = await _rate_limited(runtime, "widget", request)
    if refused is not None:
        return refused
    try:
        identity = await asyncio.to_thread(
            sign_in, settings, runtime.db, token, audience=Audience.WIDGET, channel="widget"
        )
    except SignInRefusedError as exc:
        return refusal_page(settings, exc.reason)
    access_token = await asyncio.to_thread(widget_access_token, settings, runtime.db, identity)
    return HTMLResponse(
        _careers_html(settings, widget_token=access_token, name=identity.display_name), headers=_PRIVATE
    )


def refusal_page(settings: Settings, reason: str) -> HTMLResponse:
    body = f"""<main class="card" role="alert">
  <h1>This link can't open a chat</h1>
  <p id="reason">{html.escape(reason)}</p>
  <p>If you think this is a mistake, please contact your recruiter at {html.escape(settings.company_name)}</p>
</main>"""
    return HTMLResponse(_page("Link not valid", body), status_code=401, headers=_PRIVATE)


def _careers_html(settings: Settings, *, widget_token: str | None, name: str = "") -> str:
    company = html.escape(settings.company_name)
    if widget_token is None:
        chat = (
            "<p class='note'>Candidates with an offer: open the personal link from your recruiter to chat about it.</p>"
        )
        script = ""
    else:
        greeting = f"Welcome back, {html.escape(name)}. " if name else ""
        chat = f"<p class='note'>{greeting}Questions about your offer? Open the chat in the corner of this page.</p>"
        config = json.dumps({"accessToken": widget_token, "theme": "light"}).replace("</", "<\\/")
        script = f"""<script src="/copilot/index.js"></script>
<script>
  window.addEventListener("load", function () {{
    var options = {config};
    options.chainlitServer = window.location.origin;
    window.mountChainlitWidget(options);
  }});
</script>"""
    body = f"""<header><h1>Careers at {company}</h1></header>
<main class="card">
  <h2>Build what's next with us</h2>
  <p>We hire people who like hard problems and kind teams. Explore open roles, our benefits and how we work.</p>
  {chat}
</main>
{script}"""
    return _page(f"Careers at {settings.company_name}", body)


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{html.escape(title)}</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1c2430; }}
  header {{ background: #1f3a5f; color: #fff; padding: 1.5rem 2rem; }}
  .card {{ max-width: 42rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px; }}
  .note {{ padding: .75rem 1rem; background: #eef3fa; border-radius: 6px; }}
</style></head>
<body>
{body}
</body></html>"""
