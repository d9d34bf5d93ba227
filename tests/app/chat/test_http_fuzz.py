"""Schemathesis against the app's own HTTP routes, on the real app served by uvicorn over loopback.

The routes are described in app/routes.openapi.yaml (Chainlit's generated OpenAPI does not know our Starlette
routes nor the webhook's raw body). The app is what `serve` runs: Chainlit's app from `create_app` with the webhook
route installed, demo offers drafted from a real sandbox, on SQLite and on PostgreSQL, the webhook in HMAC and in
Basic mode. Every generated request is sent with correct webhook credentials (an HMAC signature over the exact
bytes sent), so bodies reach the parser and the store. Checks: no 5xx, every status code, content type, header
and body as described. Generation is bounded and derandomized: the same requests on every run.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case
from sqlalchemy.engine import Engine

from app.chat import provisioning
from app.chat.provisioning import IcimsGateway
from app.chat.runtime import ChatRuntime
from app.chat.serving import Services, install_webhook
from app.config import PROJECT_ROOT, Settings
from app.links import Audience
from app.ratelimit import DEFAULT_LIMITS, RateLimit, RateLimiter
from app.webhooks import WEBHOOK_PATH, webhook_secret
from icims.sandbox.server import ServerThread
from icims.webhooks import sign_hmac
from tests.app.chat.conftest import OFFER_READY, draft, make_pipeline
from tests.reliability.test_webhook_fuzz import basic_settings
from tests.support.icims_sandbox import SandboxHandle

ROUTES_DESCRIPTION = PROJECT_ROOT / "app" / "routes.openapi.yaml"
FUZZ_CONFIG = {
    "seed": 20260101,
    "generation": {"max-examples": 15, "deterministic": True, "database": "none", "allow-x00": True},
    "phases": {"stateful": {"enabled": False}},
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "negative_data_rejection": {"enabled": True},
    },
}
UNLIMITED = RateLimiter({kind: RateLimit(capacity=10**6, per_minute=10**6) for kind in DEFAULT_LIMITS})


@dataclass
class Served:
    """The app on a loopback port, and how to send a schemathesis case to it the way iCIMS or a browser would."""

    base_url: str
    hook_settings: Settings
    engine: Engine
    icims: SandboxHandle
    http: requests.Session

    def send(self, case: Case) -> requests.Response:
        kwargs = case.as_transport_kwargs(base_url=self.base_url)
        if case.path == WEBHOOK_PATH:
            self._authenticate(case, kwargs)
        return self.http.request(**kwargs, allow_redirects=False, timeout=60)

    def _authenticate(self, case: Case, kwargs: dict[str, Any]) -> None:
        if isinstance(case.body, dict) and _is_id(case.body.get("customerId")):  # a valid id becomes this tenant's,
            kwargs["json"] = {**case.body, "customerId": str(self.hook_settings.icims.customer_id)}  # to go deeper
        body = json.dumps(kwargs.pop("json")).encode() if "json" in kwargs else kwargs.pop("data", b"") or b""
        kwargs["data"] = body if isinstance(body, bytes) else str(body).encode()
        hook = self.hook_settings.icims.webhook
        secret = webhook_secret(self.hook_settings)
        if hook.mode == "basic":
            token = base64.b64encode(f"{hook.username}:{secret}".encode()).decode()
            kwargs["headers"]["Authorization"] = f"Basic {token}"
            return
        content_type = kwargs["headers"].get("Content-Type", "application/json")
        signed = sign_hmac(
            method="POST",
            url=kwargs["url"],
            body=kwargs["data"],
            user=hook.hmac_user or "",
            secret=secret,
            content_type=content_type,
        )
        signed.pop("host")  # requests sends the same Host itself
        kwargs["headers"].update(signed)


def _is_id(value: object) -> bool:
    if isinstance(value, str):
        value = value.strip()
        return value.isdigit() and value.isascii()
    return isinstance(value, int) and not isinstance(value, bool)


@pytest.fixture
def served(
    request: pytest.FixtureRequest, engine: Engine, demo_settings: Settings, icims: SandboxHandle, chainlit_ready: None
) -> Iterator[Served]:
    from app.web import create_app

    pipeline = make_pipeline(demo_settings, engine, None, icims.client())
    runtime = ChatRuntime(settings=demo_settings, db=engine, pipeline=pipeline, limiter=UNLIMITED)
    app = create_app(demo_settings, runtime=runtime)
    mode = getattr(request, "param", "hmac")  # the webhook's tests ask for both modes
    hook_settings = demo_settings if mode == "hmac" else basic_settings(demo_settings)
    before = list(app.router.routes)
    with IcimsGateway(demo_settings, base_url=icims.base_url) as gateway:
        install_webhook(app, hook_settings, Services(db=engine, gateway=gateway))
        try:
            with ServerThread(app) as server, requests.Session() as http:
                yield Served(server.base_url, hook_settings, engine, icims, http)
        finally:
            app.router.routes[:] = before  # Chainlit's app is process-wide: leave no route on this test's database


# Loaded when the module is imported (the requests go to `served.base_url`, given per call). Not
# `schemathesis.pytest.from_fixture`: its lazy loader sets `Function._nodeid`, which pytest 9.2 no longer has.
schema = schemathesis.openapi.from_path(ROUTES_DESCRIPTION, config=schemathesis.Config.from_dict(FUZZ_CONFIG))


@schema.exclude(path=WEBHOOK_PATH).parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # one served app for all of a run's requests
def test_no_route_answers_5xx_or_outside_its_description(case: Case, served: Served) -> None:
    case.validate_response(served.send(case))


@schema.include(path=WEBHOOK_PATH).parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.parametrize("served", ["hmac", "basic"], indirect=True)
def test_the_webhook_answers_any_authenticated_body_as_described(case: Case, served: Served) -> None:
    case.validate_response(served.send(case))


# -- the description is the app's ------------------------------------------------------------------------------


def _described() -> set[tuple[str, str]]:
    document = yaml.safe_load(ROUTES_DESCRIPTION.read_text(encoding="utf-8"))
    return {(path, method.upper()) for path, item in document["paths"].items() for method in item}


def _flattened(routes: list[Any]) -> Iterator[Any]:
    """Every route, also those of included routers (FastAPI keeps those behind a wrapper with the original router)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        yield from _flattened(inner.routes) if inner is not None else [route]


def test_every_described_route_is_served_and_every_route_of_ours_is_described(served: Served) -> None:
    from chainlit.server import app

    routes = {
        (route.path, method): getattr(route, "endpoint", None)
        for route in _flattened(app.router.routes)
        for method in (getattr(route, "methods", None) or ())
        if method != "HEAD"
    }
    ours = {key for key, endpoint in routes.items() if getattr(endpoint, "__module__", "").startswith("app.")}
    assert ours, "our routes were not found on Chainlit's app"
    assert ours <= _described(), f"routes our code adds but the description lacks: {ours - _described()}"
    assert _described() <= set(routes), f"described but not served: {_described() - set(routes)}"
    assert ("/login", "POST") in routes  # Chainlit's route, with our callback behind it
    assert ("/login", "POST") not in ours


def test_the_served_app_opens_a_chat_for_a_valid_link_and_takes_a_signed_event(served: Served) -> None:
    """The app the fuzzing ran against works: its 401s and 400s are refusals, not a broken app."""
    draft(served.engine, served.hook_settings, served.icims.client(), OFFER_READY[0])
    offer = provisioning.find_offer(served.engine, served.hook_settings, OFFER_READY[0])
    assert offer is not None
    link = provisioning.candidate_link(served.hook_settings, served.engine, offer)
    opened = served.http.get(
        served.base_url + link.removeprefix(served.hook_settings.public_url), allow_redirects=False
    )
    assert opened.status_code == 303
    assert "access_token" in opened.cookies
    schema = schemathesis.openapi.from_path(ROUTES_DESCRIPTION)
    event = {"customerId": "0", "eventType": "WorkFlowStatusChangeEvent", "systemId": "3402", "newStatus": "1"}
    case = schema[WEBHOOK_PATH]["POST"].Case(body=event, media_type="application/json")
    response = served.send(case)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "accepted"


# -- links signed with the real key, with any claims -----------------------------------------------------------

anything = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
awkward = st.sampled_from([2**63, 2**64 + 1, -(2**63) - 1, 10**30, 253402300800, -1, "\x00", "a\x00b", "", "j" * 300])


@st.composite
def link_claims(draw: st.DrawFn, workflow_id: int, offer_id: int) -> dict[str, Any]:
    """Claims as `issue_token` writes them, with one or two replaced by any value or left out."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": draw(st.sampled_from([Audience.PORTAL.value, Audience.WIDGET.value])),
        "sub": str(workflow_id),
        "wf": workflow_id,
        "off": draw(st.sampled_from([offer_id, None])),
        "gen": 0,
        "jti": draw(st.from_regex(r"[A-Za-z0-9_-]{8,24}", fullmatch=True)),
        "iat": now,
        "exp": now + draw(st.integers(60, 86400)),
        "one": draw(st.booleans()),
    }
    for name in draw(st.lists(st.sampled_from(sorted(claims)), max_size=2, unique=True)):
        if draw(st.integers(0, 4)) == 0:
            del claims[name]
        else:
            claims[name] = draw(awkward if draw(st.booleans()) else anything | st.lists(anything, max_size=2))
    return claims


def test_a_link_signed_with_the_real_key_and_any_claims_opens_a_chat_or_gets_401(served: Served) -> None:
    offer_id = draft(served.engine, served.hook_settings, served.icims.client(), OFFER_READY[0])
    key = served.hook_settings.secret("security.link_signing_key")

    @settings(max_examples=120, derandomize=True, database=None, deadline=None)
    @given(claims=link_claims(OFFER_READY[0], offer_id), route=st.sampled_from(["/auth/portal", "/careers"]))
    def check(claims: dict[str, Any], route: str) -> None:
        token = jwt.encode(claims, key, algorithm="HS256")
        response = served.http.get(f"{served.base_url}{route}", params={"token": token}, allow_redirects=False)
        allowed = {"/auth/portal": {303, 401}, "/careers": {200, 401}}[route]
        assert response.status_code in allowed, (claims, response.status_code, response.text[:200])

    check()
