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
import html
import importlib
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jwt
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from app import wiring
from app.chat import provisioning
from app.chat.bootstrap import prepare_chainlit
from app.chat.contacts import IcimsContactBook
from app.chat.identity import CandidateIdentity
from app.chat.provisioning import CAREERS_PATH, PORTAL_PATH, IcimsGateway
from app.chat.runtime import ChatRuntime, configure, current
from app.chat.signin import SignInRefusedError, sign_in
from app.config import Settings
from app.health import ReadinessChecks, health_router, icims_probe_for, install_front, qdrant_probe, qdrant_url_probe
from app.links import Audience
from app.observability import RequestIdMiddleware
from app.pipeline import AnswerPipeline
from app.ratelimit import (
    DEFAULT_LIMITS,
    DatabaseBuckets,
    MemoryBuckets,
    RateLimiter,
    client_ip,
    too_many_requests_response,
)
from offer_engine.db import is_postgres
from retrieval.store import client_for

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
    chat_runtime = runtime or build_runtime(settings, gateway)
    configure(chat_runtime)
    from app.modes import install_review_mode  # imports Chainlit too: after prepare_chainlit

    install_review_mode(settings, chat_runtime.db, wake_worker=wake_worker)
    install_routes(chainlit_app)
    install_front(chainlit_app, health_router(readiness_checks(settings, chat_runtime.db)))
    if not any(getattr(m, "cls", None) is RequestIdMiddleware for m in chainlit_app.user_middleware):
        chainlit_app.add_middleware(RequestIdMiddleware)
    return chainlit_app


def build_runtime(settings: Settings, gateway: IcimsGateway | None = None) -> ChatRuntime:
    db = provisioning.database(settings)
    contacts = IcimsContactBook(gateway.client, settings.tenant) if gateway is not None else None
    pipeline = AnswerPipeline.from_settings(settings, db, wiring.benefits_index(settings), contacts)
    # Several app processes on one PostgreSQL share their buckets; one SQLite process keeps them in memory.
    buckets = DatabaseBuckets(db) if is_postgres(db) else MemoryBuckets()
    return ChatRuntime(settings=settings, db=db, pipeline=pipeline, limiter=RateLimiter(DEFAULT_LIMITS, buckets))


def readiness_checks(settings: Settings, db: Engine) -> ReadinessChecks:
    """Database, vector store, iCIMS and events ended without a draft. iCIMS being down (or such events)
    degrades the app (offers are local) but does not take the process out of the load balancer."""
    store = settings.vector_store
    if store.url:
        api_key = store.api_key.get_secret_value() if store.api_key else None
        vector_store = qdrant_url_probe(store.url, api_key)
    else:
        vector_store = qdrant_probe(lambda: client_for(wiring.retrieval_config(settings)))
    return ReadinessChecks.of(
        database=db, vector_store=vector_store, icims=icims_probe_for(settings), icims_required=False, events=db
    )


async def _rate_limited(runtime: ChatRuntime, kind: str, request: Request) -> Response | None:
    decision = await runtime.limiter.atake(kind, client_ip(request.scope))
    return None if decision.allowed else too_many_requests_response(decision)


def install_routes(app: Any) -> None:
    """Put our GET routes in front of Chainlit's catch-all (idempotent: an earlier install is replaced)."""
    ours = [
        Route(PORTAL_PATH, portal_sign_in, methods=["GET"], name="candidate_portal_sign_in"),
        Route(CAREERS_PATH, careers_page, methods=["GET"], name="careers_page"),
    ]
    names = {route.name for route in ours}
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "name", None) not in names]
    app.router.routes[0:0] = ours


# -- sign-in ---------------------------------------------------------------------------------------------------


async def portal_sign_in(request: Request) -> Response:
    from chainlit.auth import create_jwt, set_auth_cookie

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
    user = await _chainlit_user(identity)
    response = RedirectResponse("/", status_code=303, headers=_PRIVATE)
    set_auth_cookie(request, response, create_jwt(user))
    return response


async def _chainlit_user(identity: CandidateIdentity) -> Any:
    import chainlit as cl
    from chainlit.data import get_data_layer

    user = cl.User(
        identifier=identity.user_identifier, display_name=identity.display_name, metadata=identity.to_metadata()
    )
    if data_layer := get_data_layer():  # keep a persisted user's metadata in step with the link
        await data_layer.create_user(user)
    return user


def widget_access_token(settings: Settings, identity: CandidateIdentity) -> str:
    """A Chainlit JWT for the copilot widget, valid for `security.widget_token_ttl_minutes`."""
    now = int(time.time())
    claims = {
        "identifier": identity.user_identifier,
        "display_name": identity.display_name,
        "metadata": identity.to_metadata(),
        "iat": now,
        "exp": now + settings.security.widget_token_ttl_minutes * 60,
    }
    return jwt.encode(claims, settings.secret("security.chainlit_auth_secret"), algorithm="HS256")


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
    access_token = widget_access_token(settings, identity)
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
