"""Issue 8's security checks that tests/app/chat/test_web.py and the handler tests do not make yet: widget links
and widget access tokens forged, expired, altered or replayed; another candidate's ids next to a widget link;
the widget route's rate limit; signed links with out-of-range claims; and no default secret or staff password,
checked through the settings object and the served staff sign-in (SQLite and PostgreSQL). Demo staff refused
outside sandbox mode is tests/app/test_cli_staff.py's."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from app.chat.identity import CandidateIdentity
from app.config import ConfigError, load_settings, sandbox_secret
from app.links import Audience, issue_token
from app.ratelimit import DEFAULT_LIMITS, RateLimit, RateLimiter
from offer_engine import access
from offer_engine.db import session_scope
from tests import factories as f
from tests.app.chat.conftest import Tenant, runtime_for
from tests.app.chat.test_web import _link, _path, _refused, _session_identity, _token

MAYA, DANIEL = 3401, 3402
STRONG = "Zq8vN3kLw2pR7tYc5xHs9bMd4gFj6aEu"


@pytest.fixture
def web(tenant: Tenant, chainlit_ready: None) -> TestClient:
    from app.web import create_app

    # Sign-in throttling is tests/app/security/'s: here every common password must get its password check.
    limits = {**DEFAULT_LIMITS, "login": RateLimit(capacity=100, per_minute=100)}
    runtime = replace(runtime_for(tenant.settings, tenant.engine, tenant.pipeline()), limiter=RateLimiter(limits))
    app = create_app(tenant.settings, runtime=runtime)
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


def _widget_access_token(page_text: str) -> str:
    found = re.search(r'"accessToken": "([^"]+)"', page_text)
    assert found is not None, "the careers page carries no widget token"
    return found.group(1)


def _claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


# -- widget links (GET /careers?token=…) -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["forged", "expired", "tampered", "one-time-replayed", "portal-audience"])
def test_a_bad_widget_link_gets_an_explanation_and_no_widget_token(tenant: Tenant, web: TestClient, kind: str) -> None:
    identity = tenant.offer(MAYA)
    key = tenant.settings.secret("security.link_signing_key")
    reason = "not valid"
    if kind == "forged":
        url = f"/careers?token={issue_token('y' * 48, audience=Audience.WIDGET, workflow_id=MAYA, ttl_seconds=600)}"
    elif kind == "expired":
        token = issue_token(
            key, audience=Audience.WIDGET, workflow_id=MAYA, offer_id=identity.offer_id, ttl_seconds=60,
            now=time.time() - 3600,
        )  # fmt: skip
        url, reason = f"/careers?token={token}", "expired"
    elif kind == "tampered":
        header, payload, signature = _token(_link(tenant, MAYA, widget=True)).split(".")
        changed = jwt.utils.base64url_decode(payload).replace(f'"wf":{MAYA}'.encode(), f'"wf":{DANIEL}'.encode())
        url = f"/careers?token={header}.{jwt.utils.base64url_encode(changed).decode()}.{signature}"
    elif kind == "one-time-replayed":
        url = _path(_link(tenant, MAYA, widget=True, one_time=True))
        assert "mountChainlitWidget" in web.get(url).text
        reason = "already been used"
    else:
        url = _path(_link(tenant, MAYA)).replace("/auth/portal", "/careers")
    _refused(web.get(url), reason)


def test_the_careers_page_ignores_another_candidates_ids_in_query_parameters(tenant: Tenant, web: TestClient) -> None:
    daniel = tenant.offer(DANIEL)
    extra = f"&workflow_id={DANIEL}&offer_id={daniel.offer_id}&wf={DANIEL}&person_id={daniel.person_id}"
    page = web.get(_path(_link(tenant, MAYA, widget=True)) + extra)
    identity = CandidateIdentity.from_metadata(_claims_of(_widget_access_token(page.text))["metadata"])
    assert (identity.workflow_id, identity.offer_id) == (MAYA, tenant.offer(MAYA).offer_id)
    assert "Daniel" not in page.text


# -- widget access tokens (what the widget presents to Chainlit's POST /auth/jwt) -------------------------------


def _genuine_widget_token(tenant: Tenant, web: TestClient) -> str:
    return _widget_access_token(web.get(_path(_link(tenant, MAYA, widget=True))).text)


@pytest.mark.parametrize("kind", ["other-key", "link-signing-key", "expired", "altered", "unsigned"])
def test_a_forged_expired_or_altered_widget_token_opens_no_session(tenant: Tenant, web: TestClient, kind: str) -> None:
    claims = _claims_of(_genuine_widget_token(tenant, web))
    if kind == "other-key":
        token = jwt.encode(claims, "z" * 48, algorithm="HS256")
    elif kind == "link-signing-key":  # the other secret the app holds must not do instead
        token = jwt.encode(claims, tenant.settings.secret("security.link_signing_key"), algorithm="HS256")
    elif kind == "expired":
        secret = tenant.settings.secret("security.chainlit_auth_secret")
        token = jwt.encode({**claims, "iat": claims["iat"] - 7200, "exp": claims["iat"] - 3600}, secret, "HS256")
    elif kind == "altered":
        header, _, signature = _genuine_widget_token(tenant, web).split(".")
        daniel = tenant.offer(DANIEL).to_metadata()
        forged = jwt.utils.base64url_encode(json.dumps({**claims, "metadata": daniel}).encode()).decode()
        token = f"{header}.{forged}.{signature}"
    else:
        token = jwt.encode(claims, key="", algorithm="none")
    response = web.post("/auth/jwt", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "access_token" not in response.cookies
    assert web.get("/user", cookies={"access_token": token}).status_code == 401


async def test_a_widget_token_replayed_after_the_link_is_revoked_gets_no_answer(
    tenant: Tenant, web: TestClient, open_chat: Any
) -> None:
    """The token is a bearer token for its short life (the widget reconnects with it), so Chainlit still takes it;
    the chat re-checks the link's generation on every message and answers nothing once the link is revoked."""
    token = _genuine_widget_token(tenant, web)
    with session_scope(tenant.engine) as session:
        access.revoke(session, tenant.settings.icims.customer_id, MAYA, f.recruiter())
    replay = web.post("/auth/jwt", headers={"Authorization": f"Bearer {token}"})
    identity = _session_identity(tenant, replay.cookies["access_token"])
    chat = open_chat(identity, runtime_for(tenant.settings, tenant.engine, tenant.pipeline()))
    reply = await chat.say("What is my base salary?")
    assert "no longer active" in reply
    assert "185,000" not in reply


# -- signed links whose claims are out of range (found by tests/app/chat/test_http_fuzz.py; each was a 500) -------


@pytest.mark.parametrize(
    "changes",
    [{"wf": 2**63}, {"off": 2**64}, {"gen": -1}, {"exp_offset": 10**30, "one": True}, {"jti": "a\x00b", "one": True},
     {"one": "yes"}],
    ids=["workflow-past-bigint", "offer-past-bigint", "negative-generation", "one-time-expiring-after-9999",
         "nul-in-link-id", "one-time-not-a-bool"],
)  # fmt: skip
def test_a_signed_link_with_out_of_range_claims_is_refused(
    tenant: Tenant, web: TestClient, changes: dict[str, Any]
) -> None:
    identity = tenant.offer(MAYA)
    changes = dict(changes)  # the parameter is shared by the SQLite and PostgreSQL runs
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": Audience.PORTAL.value, "sub": str(MAYA), "wf": MAYA, "off": identity.offer_id, "gen": 0,
        "jti": "a-link-id", "iat": now, "exp": now + changes.pop("exp_offset", 600), "one": False, **changes,
    }  # fmt: skip
    token = jwt.encode(claims, tenant.settings.secret("security.link_signing_key"), algorithm="HS256")
    _refused(web.get("/auth/portal", params={"token": token}), "not valid")


# -- no default secret, no default staff password ---------------------------------------------------------------

PRODUCTION_SECRETS = {
    "ICIMS__CLIENT_SECRET": "icims.client_secret",
    "ICIMS__WEBHOOK__HMAC_SECRET": "icims.webhook.hmac_secret",
    "SECURITY__LINK_SIGNING_KEY": "security.link_signing_key",
    "SECURITY__CHAINLIT_AUTH_SECRET": "security.chainlit_auth_secret",
}


def _production(monkeypatch: pytest.MonkeyPatch, without: str | None = None, value: str | None = None) -> None:
    monkeypatch.setenv("OFFER_ASSISTANT_ICIMS__BASE_URL", "https://api.icims.com")
    for n, name in enumerate(PRODUCTION_SECRETS):
        if name != without:
            monkeypatch.setenv(f"OFFER_ASSISTANT_{name}", f"{STRONG}{n}")
        elif value is not None:
            monkeypatch.setenv(f"OFFER_ASSISTANT_{name}", value)


def test_the_shipped_configuration_carries_no_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OFFER_ASSISTANT_ICIMS__BASE_URL", "https://api.icims.com")
    with pytest.raises(ConfigError) as refused:
        load_settings(data_dir=tmp_path)
    for name in PRODUCTION_SECRETS.values():
        assert f"{name}: missing" in str(refused.value)


@pytest.mark.parametrize("env_name", sorted(PRODUCTION_SECRETS))
@pytest.mark.parametrize("value", [None, "changeme", "admin", "secret", "password", "<set-me>", "x" * 40])
def test_outside_sandbox_every_secret_must_be_set_to_a_real_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env_name: str, value: str | None
) -> None:
    _production(monkeypatch, without=env_name, value=value)
    with pytest.raises(ConfigError, match=re.escape(PRODUCTION_SECRETS[env_name])):
        load_settings(data_dir=tmp_path)


def test_sandbox_secrets_are_generated_per_deployment(tmp_path: Path) -> None:
    one, two = load_settings(data_dir=tmp_path / "one"), load_settings(data_dir=tmp_path / "two")
    for name in PRODUCTION_SECRETS.values():
        if name == "icims.client_secret":
            continue  # the sandbox's own OAuth client, not a secret of a deployment
        assert one.secret(name) != two.secret(name), name
        assert len(one.secret(name)) >= 32


COMMON_CREDENTIALS = [("admin", "admin"), ("admin", "password"), ("admin", "changeme"), ("admin", ""),
                      ("root", "root"), ("recruiter", "recruiter"), ("staff", "staff"), ("test", "test")]  # fmt: skip


def test_no_common_credentials_sign_in_to_a_fresh_app(web: TestClient) -> None:
    for username, password in COMMON_CREDENTIALS:
        response = web.post("/login", data={"username": username, "password": password})
        assert response.status_code in (401, 422), (username, password)  # 422: FastAPI's answer to an empty field
        assert "access_token" not in response.cookies


def test_demo_staff_sign_in_only_with_their_generated_password(tenant: Tenant, web: TestClient) -> None:
    from app.review.demo_staff import ensure_demo_staff

    credentials = ensure_demo_staff(tenant.settings, tenant.engine)
    reviewer = next(c for c in credentials if c.username == "compensation")  # not "admin": tried (and locked) below
    for username, password in COMMON_CREDENTIALS:
        assert web.post("/login", data={"username": username, "password": password}).status_code in (401, 422)
    signed_in = web.post("/login", data={"username": reviewer.username, "password": reviewer.password})
    assert signed_in.status_code == 200
    assert "access_token" in signed_in.cookies
    elsewhere = sandbox_secret(tenant.settings.data_dir / "another-deployment", "staff.compensation.password")
    assert elsewhere != reviewer.password  # generated per deployment, not shipped
