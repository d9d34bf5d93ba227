"""Issue 14's probes against a real server: uvicorn on a loopback port serving the chat app, a real Socket.IO client,
real headers and cookies, SQLite and PostgreSQL. Each test names the item it guards; each fails on the code before
issue 14 (Socket.IO took any Origin, /auth/jwt re-issued a 72-hour cookie, logout revoked nothing, ...)."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
import socketio
import uvicorn
from sqlalchemy import update

from app.config import Settings
from app.links import Audience, issue_token
from app.ratelimit import DEFAULT_LIMITS, RateLimit, RateLimiter
from app.security import routes as security_routes
from app.security import sessions
from offer_engine import staff
from offer_engine.actors import Role, system_actor
from offer_engine.db import session_scope
from offer_engine.web_sessions import WebSession
from tests.app.chat.conftest import Tenant, runtime_for
from tests.app.chat.test_web import _link, _path

MAYA = 3401
STAFF_PASSWORD = "Zq8vN3kLw2pR7tYc5xHs9bMd4gFj6aEu"
FOREIGN = "https://evil.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    base: str  # http://127.0.0.1:<port>: public_url
    widget_origin: str  # http://localhost:<port>: the configured careers-site origin
    settings: Settings
    tenant: Tenant

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.base + path, follow_redirects=False, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.post(self.base + path, follow_redirects=False, timeout=30, **kwargs)

    def portal_cookie(self, **options: Any) -> str:
        response = self.get(_path(_link(self.tenant, MAYA, **options)))
        assert response.status_code == 303, response.text
        return response.cookies["access_token"]

    def staff_cookie(self, username: str = "probe.recruiter", roles: tuple[Role, ...] = (Role.RECRUITER,)) -> str:
        with session_scope(self.tenant.engine) as session:
            if staff.find_user(session, username) is None:
                staff.create_user(
                    session, username=username, display_name="Probe", roles=roles, actor=system_actor(),
                    password=STAFF_PASSWORD,
                )  # fmt: skip
        response = self.post("/login", data={"username": username, "password": STAFF_PASSWORD})
        assert response.status_code == 200, response.text
        return response.cookies["access_token"]


def _serve(tenant: Tenant, *, limits: dict[str, RateLimit] | None = None, public: str = "") -> Iterator[Served]:
    from app.web import create_app

    port = free_port()
    widget_origin = f"http://localhost:{port}"
    security = tenant.settings.security.model_copy(update={"allowed_origins": [widget_origin]})
    base = f"http://127.0.0.1:{port}"
    settings = tenant.settings.model_copy(update={"public_url": public or base, "security": security})
    runtime = runtime_for(settings, tenant.engine, tenant.pipeline())
    if limits is not None:
        runtime = replace(runtime, limiter=RateLimiter({**DEFAULT_LIMITS, **limits}))
    app = create_app(settings, runtime=runtime)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield Served(base=base, widget_origin=widget_origin, settings=settings, tenant=tenant)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def served(tenant: Tenant, chainlit_ready: None) -> Iterator[Served]:
    yield from _serve(tenant)


def open_socket(
    served: Served, cookie: str | None, origin: str | None, transport: str = "websocket", thread_id: str | None = None
) -> socketio.Client:
    """A Socket.IO connection to Chainlit's socket as a browser on `origin` holding `cookie` would open it."""
    # websocket-client adds an Origin of its own unless told not to: send exactly the one a browser would
    client = socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})
    headers = {}
    if cookie:
        headers["Cookie"] = f"access_token={cookie}"
    if origin:
        headers["Origin"] = origin
    auth = {"sessionId": str(uuid.uuid4()), "clientType": "webapp", "userEnv": "{}", "chatProfile": None}
    if thread_id:
        auth["threadId"] = thread_id  # the thread the browser asks to resume
    client.connect(
        served.base, headers=headers, auth=auth, socketio_path="/ws/socket.io", transports=[transport], wait_timeout=10
    )
    return client


def refused_socket(served: Served, cookie: str | None, origin: str | None, transport: str = "websocket") -> bool:
    try:
        client = open_socket(served, cookie, origin, transport)
    except socketio.exceptions.ConnectionError:
        return True
    client.disconnect()
    return False


def cookie_attributes(response: httpx.Response) -> dict[str, str]:
    header = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("access_token="))
    parts = [p.strip() for p in header.split(";")]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts[1:]}


# -- 1. origins ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_1_the_socket_refuses_a_foreign_origin_even_with_a_valid_cookie(served: Served, transport: str) -> None:
    cookie = served.portal_cookie()
    assert refused_socket(served, cookie, FOREIGN, transport)
    assert refused_socket(served, cookie, "null", transport)
    assert not refused_socket(served, cookie, served.base, transport)


def test_1_socketio_itself_checks_no_origin_so_the_guard_is_the_gate(served: Served) -> None:
    from chainlit.server import sio

    assert sio.eio.cors_allowed_origins == []  # a list would add a second Access-Control-Allow-Origin header
    cookie = served.portal_cookie()
    assert refused_socket(served, cookie, FOREIGN)
    assert refused_socket(served, cookie, FOREIGN, "polling")
    polled = served.get("/ws/socket.io/?EIO=4&transport=polling", headers={"Origin": served.widget_origin})
    assert polled.headers.get_list("access-control-allow-origin") == [served.widget_origin]
    assert not refused_socket(served, cookie, served.widget_origin, "polling")


def test_1_the_configured_widget_origin_and_a_staff_session_connect_only_from_allowed_origins(served: Served) -> None:
    candidate, recruiter = served.portal_cookie(), served.staff_cookie()
    assert not refused_socket(served, candidate, served.widget_origin)
    assert refused_socket(served, recruiter, "http://127.0.0.1.evil.example")
    assert refused_socket(served, recruiter, served.base.replace("http://", "https://"))
    assert not refused_socket(served, recruiter, served.base)


@pytest.mark.parametrize("path", ["/login", "/logout", "/auth/jwt", "/project/action", "/webhooks/icims"])
def test_1_state_changing_requests_from_a_foreign_origin_are_refused(served: Served, path: str) -> None:
    response = served.post(path, headers={"Origin": FOREIGN}, data={"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "origin" in response.json()["detail"]
    assert served.post("/logout", headers={"Origin": served.widget_origin}).status_code == 200


def test_1_cors_preflight_answers_only_allowed_origins(served: Served) -> None:
    def preflight(origin: str) -> httpx.Response:
        headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
        return httpx.options(served.base + "/auth/jwt", headers=headers, timeout=10)

    assert preflight(served.widget_origin).headers.get("access-control-allow-origin") == served.widget_origin
    assert "access-control-allow-origin" not in preflight(FOREIGN).headers


# -- 2. session lifetimes we own -------------------------------------------------------------------------------


def _widget_token(served: Served) -> str:
    page = served.get(_path(_link(served.tenant, MAYA, widget=True)))
    found = re.search(r'"accessToken": "([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_2_the_widget_token_exchange_never_extends_the_session(served: Served) -> None:
    token = _widget_token(served)
    response = served.post("/auth/jwt", headers={"Authorization": f"Bearer {token}", "Origin": served.widget_origin})
    assert response.status_code == 200
    assert response.cookies["access_token"] == token  # the same token: not a fresh 72-hour one
    ttl = served.settings.security.widget_token_ttl_minutes * 60
    assert 0 < int(cookie_attributes(response)["max-age"]) <= ttl
    again = served.post("/auth/jwt", headers={"Authorization": f"Bearer {token}"})
    assert int(cookie_attributes(again)["max-age"]) <= int(cookie_attributes(response)["max-age"])


def test_2_a_token_chainlit_would_accept_but_we_did_not_issue_opens_nothing(served: Served) -> None:
    secret = served.settings.secret("security.chainlit_auth_secret")
    issued = jwt.decode(served.portal_cookie(), secret, algorithms=["HS256"])
    metadata = {k: v for k, v in issued["metadata"].items() if k != sessions.SESSION_KEY}
    forged = jwt.encode({**issued, "metadata": metadata, "exp": int(time.time()) + 86400 * 30}, secret, "HS256")
    assert served.get("/user", cookies={"access_token": forged}).status_code == 401
    assert served.post("/auth/jwt", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert refused_socket(served, forged, served.base)
    refused = served.get("/user", cookies={"access_token": forged})
    assert cookie_attributes(refused)["max-age"] == "0"  # the browser is told to drop it


def test_2_a_candidate_session_ends_at_its_links_own_expiry(served: Served) -> None:
    identity = served.tenant.offer(MAYA)
    key = served.settings.secret("security.link_signing_key")
    token = issue_token(
        key, audience=Audience.PORTAL, workflow_id=MAYA, offer_id=identity.offer_id, ttl_seconds=120,
        generation=identity.generation,
    )  # fmt: skip
    response = served.get(f"/auth/portal?token={token}")
    assert response.status_code == 303
    link_exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    cookie = response.cookies["access_token"]
    assert jwt.decode(cookie, options={"verify_signature": False})["exp"] == link_exp
    assert int(cookie_attributes(response)["max-age"]) <= 120
    sid = jwt.decode(cookie, options={"verify_signature": False})["metadata"][sessions.SESSION_KEY]
    with session_scope(served.tenant.engine) as session:
        row = session.get(WebSession, sid)
        assert row is not None
        assert int(row.expires_at.timestamp()) == link_exp


def test_2_logout_revokes_the_session_for_requests_and_the_socket(served: Served) -> None:
    for cookie in (served.portal_cookie(), served.staff_cookie()):
        assert served.get("/user", cookies={"access_token": cookie}).status_code == 200
        assert served.post("/logout", cookies={"access_token": cookie}).status_code == 200
        assert served.get("/user", cookies={"access_token": cookie}).status_code == 401
        assert served.post("/auth/jwt", headers={"Authorization": f"Bearer {cookie}"}).status_code == 401
        assert refused_socket(served, cookie, served.base)


def test_2_signing_in_again_over_an_ended_session_keeps_the_new_cookie(served: Served) -> None:
    old = served.portal_cookie()
    sessions.sign_out(served.settings, served.tenant.engine, old)
    response = served.get(_path(_link(served.tenant, MAYA)), cookies={"access_token": old})
    assert response.status_code == 303
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("access_token=")]
    assert len(cookies) == 1  # the new session's cookie, not followed by an order to drop it
    assert served.get("/user", cookies={"access_token": response.cookies["access_token"]}).status_code == 200


def test_2_a_socket_open_before_logout_is_disconnected_at_its_next_event(served: Served) -> None:
    cookie = served.portal_cookie()
    client = open_socket(served, cookie, served.base)
    try:
        sessions.sign_out(served.settings, served.tenant.engine, cookie)
        client.emit("stop")
        deadline = time.monotonic() + 10
        while client.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not client.connected
    finally:
        client.disconnect()


@pytest.mark.parametrize("limit", ["idle", "absolute"])
def test_2_staff_sessions_have_an_idle_and_an_absolute_limit(served: Served, limit: str) -> None:
    cookie = served.staff_cookie()
    assert served.get("/user", cookies={"access_token": cookie}).status_code == 200
    sid = jwt.decode(cookie, options={"verify_signature": False})["metadata"][sessions.SESSION_KEY]
    security = served.settings.security
    now = datetime.now(UTC)
    with session_scope(served.tenant.engine) as session:
        row = session.get(WebSession, sid)
        assert row is not None
        assert row.idle_seconds == security.staff_idle_minutes * 60
        assert abs((row.expires_at - now) - timedelta(hours=security.staff_session_hours)) < timedelta(minutes=1)
        values = (
            {"last_seen_at": now - timedelta(minutes=security.staff_idle_minutes + 1)}
            if limit == "idle"
            else {"expires_at": now - timedelta(seconds=1)}
        )
        session.execute(update(WebSession).where(WebSession.id == sid).values(**values))  # type: ignore[arg-type]
    assert served.get("/user", cookies={"access_token": cookie}).status_code == 401


# -- 3. headers ------------------------------------------------------------------------------------------------


def _csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in policy.split("; ")}


def _inline_script_hashes(html: str) -> set[str]:
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.DOTALL)
    return {"'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'" for b in bodies}


@pytest.mark.parametrize("path", ["/", "/login", "/careers", "/careers?token=x", "/auth/portal?token=x", "/health"])
def test_3_every_page_has_a_csp_without_remote_images_or_scripts_and_no_framing(served: Served, path: str) -> None:
    response = served.get(path, headers={"Accept-Encoding": "gzip"})
    csp = _csp(response)
    for directive in ("img-src", "script-src", "default-src", "connect-src"):
        assert "https:" not in csp[directive].split()
        assert "*" not in csp[directive]
        assert "'unsafe-inline'" not in csp[directive]
    assert csp["object-src"] == "'none'"
    expected = served.widget_origin if path.startswith("/careers") else "'none'"
    assert csp["frame-ancestors"] == expected
    assert response.headers["x-content-type-options"] == "nosniff"
    if "text/html" in response.headers.get("content-type", ""):
        assert _inline_script_hashes(response.text) <= set(csp["script-src"].split())


def test_3_the_careers_page_with_a_widget_token_allows_exactly_its_own_inline_script(served: Served) -> None:
    page = served.get(_path(_link(served.tenant, MAYA, widget=True)))
    hashes = _inline_script_hashes(page.text)
    assert len(hashes) == 1
    assert set(_csp(page)["script-src"].split()) == {"'self'", "'unsafe-eval'", *hashes}
    assert _csp(page)["frame-ancestors"] == served.widget_origin


# -- 5. staff sign-in ------------------------------------------------------------------------------------------


def test_5_sign_in_is_throttled_per_client_before_any_password_is_checked(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real_verify = staff._verify

    def counting(hasher: Any, hashed: str, password: str) -> bool:
        checked.append(password)
        return real_verify(hasher, hashed, password)

    monkeypatch.setattr(staff, "_verify", counting)
    capacity = DEFAULT_LIMITS["login"].capacity
    answers = [served.post("/login", data={"username": "admin", "password": f"guess-{n}"}) for n in range(capacity + 3)]
    codes = [a.status_code for a in answers]
    assert codes[:capacity] == [401] * capacity
    assert codes[capacity:] == [429] * 3
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert len(checked) == capacity  # refused attempts cost no argon2 work


def test_5_a_login_post_from_another_site_is_refused_before_the_password_check(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staff, "_verify", lambda *args: pytest.fail("the password was checked"))
    form = {"username": "probe.recruiter", "password": STAFF_PASSWORD}
    assert served.post("/login", data=form, headers={"Origin": FOREIGN}).status_code == 403


def test_5_failures_from_one_client_do_not_lock_the_account_for_another(served: Served) -> None:
    served.staff_cookie("probe.locked")
    with session_scope(served.tenant.engine) as session:
        for _ in range(staff.MAX_FAILURES + 1):
            assert staff.authenticate(session, "probe.locked", "wrong password!", client="203.0.113.9") is None
        assert staff.authenticate(session, "probe.locked", STAFF_PASSWORD, client="203.0.113.9") is None  # locked
        assert staff.authenticate(session, "probe.locked", STAFF_PASSWORD, client="198.51.100.7") is not None


@pytest.fixture
def unthrottled(tenant: Tenant, chainlit_ready: None) -> Iterator[Served]:
    yield from _serve(tenant, limits={"login": RateLimit(capacity=1000, per_minute=1000)})


def test_5_a_flood_of_sign_ins_runs_at_most_the_configured_argon2_checks_at_once(unthrottled: Served) -> None:
    unthrottled.staff_cookie()  # the user exists, so every attempt below is a full argon2 verification
    limit = unthrottled.settings.security.login_concurrency
    gate = security_routes.gate(limit)
    gate.peak = 0

    def attempt(n: int) -> int:
        form = {"username": "probe.recruiter", "password": f"wrong-{n}"}
        return unthrottled.post("/login", data=form).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(attempt, range(12)))
        started = time.perf_counter()
        assert unthrottled.get("/health").status_code == 200
        health_seconds = time.perf_counter() - started
    assert set(codes) <= {401, 503}
    assert 1 <= gate.peak <= limit
    assert health_seconds < 5


# -- 6. cookies, webhook bodies, actions -----------------------------------------------------------------------


@pytest.fixture
def served_https(tenant: Tenant, chainlit_ready: None) -> Iterator[Served]:
    yield from _serve(tenant, public="https://chat.example.com")


def test_6_cookies_are_secure_when_the_public_url_is_https(served_https: Served) -> None:
    response = served_https.get(_path(_link(served_https.tenant, MAYA)))
    assert response.status_code == 303
    assert "secure" in cookie_attributes(response)
    assert "httponly" in cookie_attributes(response)


def test_6_cookies_are_not_secure_over_plain_http(served: Served) -> None:
    response = served.get(_path(_link(served.tenant, MAYA)))
    assert "secure" not in cookie_attributes(response)


def test_6_a_malformed_action_gets_a_clear_400_never_a_500(served: Served) -> None:
    cookie = served.portal_cookie()
    client = open_socket(served, cookie, served.base)
    try:
        session_id = client.connection_auth["sessionId"]  # type: ignore[index]
        for action in (
            {"name": "starter", "payload": [1, 2]},
            {"name": "starter", "payload": "x"},
            {"name": ["starter"], "payload": {}},
            "not an object",
        ):
            response = served.post(
                "/project/action", cookies={"access_token": cookie}, json={"sessionId": session_id, "action": action}
            )
            assert response.status_code == 400, response.text
            assert "not valid" in response.json()["detail"]
        assert served.post("/project/action", cookies={"access_token": cookie}, content=b"{").status_code == 400
    finally:
        client.disconnect()
