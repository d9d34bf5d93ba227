"""The app's cross-cutting parts are live on the served app: health and readiness, request ids, rate limits,
recruiter replies shown to the candidate, and the staff review mode on the same entry."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.chat.runtime import ChatRuntime
from app.ratelimit import DEFAULT_LIMITS, RateLimit, RateLimiter
from app.review import deep_link
from offer_engine import messages
from offer_engine.db import session_scope
from tests import factories as f
from tests.app.chat.conftest import Tenant, runtime_for

MAYA = 3401


@pytest.fixture
def web(tenant: Tenant, chainlit_ready: None) -> TestClient:
    from app.web import create_app

    app = create_app(tenant.settings, runtime=runtime_for(tenant.settings, tenant.engine, tenant.pipeline()))
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


def test_readiness_reports_database_vector_store_and_icims(web: TestClient) -> None:
    response = web.get("/ready")
    body = response.json()
    assert set(body["checks"]) == {"database", "vector_store", "icims", "webhook_events"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["webhook_events"]["status"] == "ok"  # no incoming event ended without a draft
    assert response.status_code == (200 if body["status"] in {"ready", "degraded"} else 503)
    assert web.get("/health").json() == {"status": "ok"}


def test_every_response_carries_a_request_id_and_keeps_a_valid_one(web: TestClient) -> None:
    generated = web.get("/health").headers["x-request-id"]
    assert len(generated) >= 8
    assert web.get("/health", headers={"X-Request-ID": "req-12345678"}).headers["x-request-id"] == "req-12345678"


@pytest.mark.parametrize(("limit", "route"), [("link", "/auth/portal"), ("widget", "/careers")])
def test_the_link_routes_are_rate_limited_per_client(limit: str, route: str, web: TestClient) -> None:
    burst = DEFAULT_LIMITS[limit].capacity
    statuses = [web.get(route, params={"token": f"forged-{n}"}).status_code for n in range(burst)]
    assert statuses == [401] * burst
    limited = web.get(route, params={"token": "forged-again"})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    if route == "/careers":
        assert web.get(route).status_code == 200  # the careers page without a link is not limited


async def test_chat_messages_are_rate_limited_per_offer(tenant: Tenant, open_chat: Any) -> None:
    limiter = RateLimiter({"chat": RateLimit(capacity=2, per_minute=1)})
    base = runtime_for(tenant.settings, tenant.engine, tenant.pipeline())
    runtime = ChatRuntime(settings=base.settings, db=base.db, pipeline=base.pipeline, limiter=limiter)
    chat = open_chat(tenant.offer(MAYA), runtime)
    assert "2028" in await chat.say("When do I start?")
    assert "2028" in await chat.say("When do I start?")
    refused = await chat.say("When do I start?")
    assert "faster than I can answer" in refused
    assert "2028" not in refused


async def test_the_recruiters_reply_is_shown_once_on_the_candidates_next_visit(tenant: Tenant, open_chat: Any) -> None:
    identity = tenant.offer(MAYA)
    with session_scope(tenant.engine) as session:
        messages.post_message(
            session,
            identity.offer_id,
            "We can raise the sign-on bonus to $18,000.",
            actor=f.recruiter(),
            author_name="Alex Rivera",
        )
    runtime = runtime_for(tenant.settings, tenant.engine, tenant.pipeline())
    first = open_chat(identity, runtime)
    await first.start()
    assert "We can raise the sign-on bonus to $18,000." in first.recorded.last()
    second = open_chat(identity, runtime)
    await second.start()
    assert "We can raise the sign-on bonus" not in second.recorded.last()


def test_staff_password_sign_in_is_offered_next_to_portal_links(web: TestClient) -> None:
    config = web.get("/auth/config").json()
    assert config["requireLogin"] is True
    assert config["passwordAuth"] is True


def test_the_sign_in_form_asks_staff_for_a_username_and_words_a_refusal(web: TestClient) -> None:
    login = web.get("/project/translations", params={"language": "en-US"}).json()["translation"]["auth"]["login"]
    assert login["form"]["email"]["label"] == "Username"
    assert login["errors"]["unauthorized"].startswith("Wrong username or password")
    assert login["errors"]["sessionRequired"]  # Chainlit's other texts are kept
    refused = web.post("/login", data={"username": "nobody", "password": "wrong"})
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("Wrong username or password")


def test_the_review_pictures_element_is_served_to_the_browser(web: TestClient) -> None:
    from app.review.pictures import PICTURE_ELEMENT  # as above: Chainlit is imported after the app root is set

    element = web.get(f"/public/elements/{PICTURE_ELEMENT}.jsx")
    assert element.status_code == 200
    assert "export default function Picture" in element.text


def test_the_chat_and_the_widget_show_the_companys_logo(web: TestClient, tenant: Tenant) -> None:
    for theme in ("light", "dark"):
        logo = web.get("/logo", params={"theme": theme})  # what the full chat and the copilot header load
        assert logo.status_code == 200
        assert logo.headers["content-type"].startswith("image/svg+xml")
        assert f">{tenant.settings.company_name}</text>" in logo.text
        assert "chainlit" not in logo.text.lower()


def test_the_sources_element_is_served_to_the_browser(web: TestClient) -> None:
    from app.chat.render import SOURCES_ELEMENT

    element = web.get(f"/public/elements/{SOURCES_ELEMENT}.jsx")
    assert element.status_code == 200
    assert "export default function Sources" in element.text


def test_the_wordmark_escapes_the_company_name() -> None:
    from app.chat.bootstrap import wordmark_svg

    svg = wordmark_svg('Smith & <Jones> "Ltd"', "#000")
    assert ">Smith &amp; &lt;Jones&gt; &quot;Ltd&quot;</text>" in svg
    assert "<Jones>" not in svg


def test_the_workers_wake_up_call_reaches_the_chat_runtime(tenant: Tenant, chainlit_ready: None) -> None:
    from app.chat import runtime as chat_runtime
    from app.web import create_app

    woken: list[str] = []
    runtime = runtime_for(tenant.settings, tenant.engine, tenant.pipeline())
    create_app(tenant.settings, runtime=runtime, wake_worker=lambda: woken.append("wake"))
    chat_runtime.current().wake()  # what signing calls once the signed PDF is queued
    assert woken == ["wake"]


def test_the_mails_review_link_sets_a_short_lived_cookie_naming_the_offer_and_returns_home(web: TestClient) -> None:
    response = web.get("/?offer=42")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{deep_link.COOKIE}=42.")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Max-Age=900" in cookie
    linked = deep_link.parse_cookie_header(cookie.split(";")[0])
    assert linked is not None
    assert linked.offer_id == 42


@pytest.mark.parametrize("value", ["abc", "-3", "4 2", "", "9" * 40])
def test_a_review_link_naming_no_offer_is_still_answered_and_says_so_later(value: str, web: TestClient) -> None:
    response = web.get("/", params={"offer": value})
    assert response.status_code == 303
    linked = deep_link.parse_cookie_header(response.headers["set-cookie"].split(";")[0])
    assert linked is not None
    assert linked.offer_id is None


def test_the_app_without_the_offer_parameter_is_served_as_before(web: TestClient) -> None:
    response = web.get("/")
    assert response.status_code == 200
    assert deep_link.COOKIE not in response.headers.get("set-cookie", "")
    assert web.get("/login", params={"offer": "42"}).status_code == 200  # only the app's home reads it
