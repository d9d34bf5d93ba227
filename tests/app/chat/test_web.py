"""Portal-link sign-in and the careers page, over HTTP on Chainlit's app (SQLite and PostgreSQL).

The app is used without its lifespan (Chainlit's ends the process on shutdown), as `serve` runs it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from fastapi.testclient import TestClient

from app.chat import provisioning
from app.chat.identity import CandidateIdentity
from app.links import Audience, issue_token
from offer_engine import access, offers
from offer_engine.db import session_scope
from tests import factories as f
from tests.app.chat.conftest import Tenant, runtime_for

MAYA, DANIEL = 3401, 3402


@pytest.fixture
def web(tenant: Tenant, chainlit_ready: None) -> Iterator[TestClient]:
    from app.web import create_app

    app = create_app(tenant.settings, runtime=runtime_for(tenant.settings, tenant.engine, tenant.pipeline()))
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


def _link(tenant: Tenant, workflow_id: int, **options: Any) -> str:
    tenant.offer(workflow_id)
    ref = provisioning.find_offer(tenant.engine, tenant.settings, workflow_id)
    assert ref is not None
    return provisioning.candidate_link(tenant.settings, tenant.engine, ref, **options)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def _session_identity(tenant: Tenant, cookie: str) -> CandidateIdentity:
    claims = jwt.decode(cookie, tenant.settings.secret("security.chainlit_auth_secret"), algorithms=["HS256"])
    return CandidateIdentity.from_metadata(claims["metadata"])


def _refused(response: Any, reason: str) -> None:
    assert response.status_code == 401
    assert "access_token" not in response.headers.get("set-cookie", "")
    assert reason in response.text
    assert "mountChainlitWidget" not in response.text


def test_a_portal_link_sets_chainlits_session_cookie_and_opens_the_chat(tenant: Tenant, web: TestClient) -> None:
    response = web.get(_path(_link(tenant, MAYA)))
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.cookies["access_token"]
    identity = _session_identity(tenant, cookie)
    assert (identity.workflow_id, identity.channel, identity.display_name) == (MAYA, "portal", "Maya Patel")
    max_age = int(re.search(r"Max-Age=(\d+)", response.headers["set-cookie"]).group(1))  # type: ignore[union-attr]
    assert max_age <= tenant.settings.security.link_ttl_hours * 3600
    me = web.get("/user", cookies={"access_token": cookie})
    assert me.status_code == 200
    assert me.json()["identifier"] == identity.user_identifier
    assert web.get("/").status_code == 200  # the chat itself is still served by Chainlit


def test_url_parameters_cannot_choose_another_offer(tenant: Tenant, web: TestClient) -> None:
    daniel = tenant.offer(DANIEL)
    url = _path(_link(tenant, MAYA)) + f"&workflow_id={DANIEL}&offer_id={daniel.offer_id}&wf={DANIEL}"
    response = web.get(url)
    assert _session_identity(tenant, response.cookies["access_token"]).workflow_id == MAYA


def test_a_forged_link_is_refused(tenant: Tenant, web: TestClient) -> None:
    tenant.offer(MAYA)
    forged = issue_token("x" * 48, audience=Audience.PORTAL, workflow_id=MAYA, ttl_seconds=3600)
    _refused(web.get(f"/auth/portal?token={forged}"), "not valid")


def test_a_tampered_link_is_refused(tenant: Tenant, web: TestClient) -> None:
    good = _token(_link(tenant, MAYA))
    header, payload, signature = good.split(".")
    claims = jwt.utils.base64url_decode(payload).replace(f'"wf":{MAYA}'.encode(), f'"wf":{DANIEL}'.encode())
    tampered = f"{header}.{jwt.utils.base64url_encode(claims).decode()}.{signature}"
    assert tampered != good
    _refused(web.get(f"/auth/portal?token={tampered}"), "not valid")


@pytest.mark.parametrize("token", ["", "not-a-token", "a.b.c"])
def test_a_missing_or_garbage_token_is_refused(tenant: Tenant, web: TestClient, token: str) -> None:
    _refused(web.get(f"/auth/portal?token={token}"), "not valid")


def test_an_expired_link_is_refused(tenant: Tenant, web: TestClient) -> None:
    identity = tenant.offer(MAYA)
    key = tenant.settings.secret("security.link_signing_key")
    expired = issue_token(
        key, audience=Audience.PORTAL, workflow_id=MAYA, offer_id=identity.offer_id, ttl_seconds=60,
        now=time.time() - 3600,
    )  # fmt: skip
    _refused(web.get(f"/auth/portal?token={expired}"), "expired")


def test_a_widget_link_does_not_sign_in_to_the_portal_and_vice_versa(tenant: Tenant, web: TestClient) -> None:
    _refused(web.get(_path(_link(tenant, MAYA, widget=True)).replace("/careers", "/auth/portal")), "not valid")
    _refused(web.get(_path(_link(tenant, MAYA)).replace("/auth/portal", "/careers")), "not valid")


def test_a_one_time_link_opens_the_chat_once(tenant: Tenant, web: TestClient) -> None:
    url = _path(_link(tenant, MAYA, one_time=True))
    assert web.get(url).status_code == 303
    _refused(web.get(url), "already been used")


def test_rotated_and_revoked_links_are_refused(tenant: Tenant, web: TestClient) -> None:
    old = _path(_link(tenant, MAYA))
    with session_scope(tenant.engine) as session:
        access.rotate(session, tenant.settings.icims.customer_id, MAYA, f.recruiter())
    _refused(web.get(old), "replaced")
    current = _path(_link(tenant, MAYA))
    assert web.get(current).status_code == 303
    with session_scope(tenant.engine) as session:
        access.revoke(session, tenant.settings.icims.customer_id, MAYA, f.recruiter())
    _refused(web.get(current), "turned off")


def test_a_link_to_a_withdrawn_offer_is_refused(tenant: Tenant, web: TestClient) -> None:
    url = _path(_link(tenant, MAYA))
    with session_scope(tenant.engine) as session:
        offer = offers.get_offer(session, tenant.offer(MAYA).offer_id)
        offers.withdraw(session, offer, actor=f.recruiter(), reason="role closed")
    _refused(web.get(url), "no longer open")


def test_the_careers_page_without_a_link_has_no_chat(tenant: Tenant, web: TestClient) -> None:
    page = web.get("/careers")
    assert page.status_code == 200
    assert f"Careers at {tenant.settings.company_name}" in page.text
    assert "mountChainlitWidget" not in page.text


def test_the_careers_page_mounts_the_widget_with_a_short_lived_token(tenant: Tenant, web: TestClient) -> None:
    page = web.get(_path(_link(tenant, MAYA, widget=True)))
    assert page.status_code == 200
    assert "/copilot/index.js" in page.text
    access_token = re.search(r'"accessToken": "([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    secret = tenant.settings.secret("security.chainlit_auth_secret")
    claims = jwt.decode(access_token, secret, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == tenant.settings.security.widget_token_ttl_minutes * 60
    identity = CandidateIdentity.from_metadata(claims["metadata"])
    assert (identity.workflow_id, identity.channel) == (MAYA, "widget")
    signed_in = web.post("/auth/jwt", headers={"Authorization": f"Bearer {access_token}"})  # what the widget does
    assert signed_in.status_code == 200
    assert _session_identity(tenant, signed_in.cookies["access_token"]).workflow_id == MAYA


def test_a_refused_widget_link_gets_no_token(tenant: Tenant, web: TestClient) -> None:
    url = _path(_link(tenant, MAYA, widget=True))
    with session_scope(tenant.engine) as session:
        access.revoke(session, tenant.settings.icims.customer_id, MAYA, f.recruiter())
    _refused(web.get(url), "turned off")
