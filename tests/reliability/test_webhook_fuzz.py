"""POST /webhooks/icims with any correctly authenticated body (HMAC and Basic), on SQLite and PostgreSQL.

Authentication is right every time, so each generated body reaches the parser and the store: it must get 200 with
a receipt (and be stored once, with what was sent) or 400 with iCIMS's vendor error body and nothing stored at all:
never a 500, never a row or an audit event for a refused body. Generation is derandomized (the same bodies on
every run) and bounded, so the test takes seconds.
"""

from __future__ import annotations

import base64
import codecs
import gzip
import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.config import Settings
from app.webhooks import MAX_NESTING, WEBHOOK_PATH, router, webhook_secret
from offer_engine.db import session_scope
from offer_engine.webhook_events import WebhookEvent
from tests.app.test_webhooks import counts, event_payload, signed

BOUNDED = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VENDOR_ERROR_KEYS = {"userMessage", "debugErrorMessage"}

# -- bodies -----------------------------------------------------------------------------------------------------

# Any text, and more often than chance the characters storage trips on: NUL (PostgreSQL text cannot hold it),
# lone surrogates (not encodable as UTF-8), controls, right-to-left marks and non-ASCII digits.
awkward = st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff", "\x1b[31m", "\u202e", "\ufeff", "٣", "𝟗"])
texts = st.text(max_size=40) | awkward
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
ids_as_sent = (
    st.integers(min_value=0, max_value=10**12).map(str)
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.sampled_from(["", " ", "12x", "١٢٣", "+5", "-7", "1e3", "0x10", " 42 ", "9" * 40])
    | json_values
)
event_types = st.sampled_from(["WorkFlowStatusChangeEvent", " workflowstatuschangeevent ", "OtherEvent", ""]) | texts


def mostly(draw: st.DrawFn, usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> Any:
    """A value that would pass three times in four (so bodies get deep), anything at all otherwise."""
    return draw(odd if draw(st.integers(0, 3)) == 0 else usual)


@st.composite
def notifications(draw: st.DrawFn, customer_id: int) -> dict[str, Any]:
    """Something shaped like an iCIMS event for this tenant, with any values in any field now and then."""
    good_ids = st.integers(min_value=0, max_value=10**12) | st.integers(min_value=0, max_value=10**12).map(str)
    payload: dict[str, Any] = {
        "customerId": mostly(draw, st.sampled_from([str(customer_id), customer_id]), ids_as_sent),
        "eventType": mostly(draw, st.sampled_from(["WorkFlowStatusChangeEvent", "OtherEvent"]), event_types),
        "systemId": mostly(draw, good_ids, ids_as_sent),
    }
    for name in ("jobId", "personId", "userId"):
        if draw(st.booleans()):
            payload[name] = mostly(draw, good_ids, ids_as_sent)
    for name in ("oldStatus", "newStatus"):
        if draw(st.integers(0, 3)) > 0:
            payload[name] = mostly(draw, st.from_regex(r"C?[1-9]\d{0,5}", fullmatch=True), ids_as_sent | texts)
    if draw(st.booleans()):
        payload["links"] = draw(st.lists(st.dictionaries(st.sampled_from(["rel", "title", "url"]), json_values)))
    payload.update(draw(st.dictionaries(texts, json_values, max_size=3)))
    return payload


@st.composite
def deliveries(draw: st.DrawFn, customer_id: int) -> tuple[bytes, dict[str, Any]]:
    """A body in any of the encodings a sender might use, and the headers it would come with."""
    document = draw(notifications(customer_id) | json_values)
    # ensure_ascii=False writes lone surrogates as themselves: "surrogatepass" keeps them as invalid UTF-8 bytes
    raw = json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    form = draw(st.sampled_from(["plain", "gzip", "gzip-unlabelled", "bom", "raw-bytes"]))
    headers: dict[str, Any] = {}
    if form == "gzip":
        raw, headers = gzip.compress(raw), {"content-encoding": "gzip"}
    elif form == "gzip-unlabelled":
        raw = gzip.compress(raw)
    elif form == "bom":
        raw = codecs.BOM_UTF8 + raw
    elif form == "raw-bytes":
        raw = draw(st.binary(max_size=64))
    if draw(st.booleans()):
        # header values travel as bytes: latin-1 is what HTTP allows beyond ASCII
        headers["link"] = draw(st.text(alphabet=st.characters(codec="latin-1"), max_size=60)).encode("latin-1")
    return raw, headers


# -- the route --------------------------------------------------------------------------------------------------


def basic_settings(settings: Settings) -> Settings:
    hook = settings.icims.webhook.model_copy(
        update={"mode": "basic", "username": "icims-events", "password": SecretStr("a-long-webhook-password-9f3k")}
    )
    return settings.model_copy(update={"icims": settings.icims.model_copy(update={"webhook": hook})})


def authenticated(settings: Settings, body: bytes, headers: dict[str, Any]) -> dict[str, Any]:
    hook = settings.icims.webhook
    if hook.mode == "basic":
        credentials = f"{hook.username}:{webhook_secret(settings)}".encode()
        return {**headers, "authorization": "Basic " + base64.b64encode(credentials).decode()}
    signature = signed(settings, body)
    signature.pop("content-encoding")
    return {**headers, **signature}


@pytest.fixture(params=["hmac", "basic"])
def hook_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    return settings if request.param == "hmac" else basic_settings(settings)


@pytest.fixture
def client(hook_settings: Settings, engine: Engine) -> TestClient:
    api = FastAPI()
    api.include_router(router(hook_settings, engine))
    return TestClient(api, raise_server_exceptions=False)


def stored_payload(engine: Engine, event_id: int) -> tuple[dict[str, Any], int]:
    with session_scope(engine) as session:
        event = session.exec(select(WebhookEvent).where(WebhookEvent.id == event_id)).one()
        return event.payload, event.duplicates


def test_any_authenticated_body_is_stored_once_or_refused_with_the_vendor_body(
    client: TestClient, hook_settings: Settings, engine: Engine
) -> None:
    seen: dict[int, int] = {}  # event id -> duplicates counted so far

    @BOUNDED
    @given(delivery=deliveries(hook_settings.icims.customer_id))
    def check(delivery: tuple[bytes, dict[str, Any]]) -> None:
        body, headers = delivery
        before = counts(engine)
        response = client.post(WEBHOOK_PATH, content=body, headers=authenticated(hook_settings, body, headers))
        assert response.status_code in (200, 400), (response.status_code, response.text[:300])
        if response.status_code == 400:
            assert set(response.json()["error"]) == VENDOR_ERROR_KEYS
            assert counts(engine) == before, "a refused body left something behind"
            return
        receipt = response.json()
        payload, duplicates = stored_payload(engine, receipt["eventId"])
        if receipt["duplicate"]:
            assert counts(engine) == before
            assert duplicates == seen.get(receipt["eventId"], 0) + 1
        else:
            assert counts(engine) == (before[0] + 1, before[1] + 1)  # one event and its audit entry
            assert receipt["eventId"] not in seen
            assert payload["customerId"] in (hook_settings.icims.customer_id, str(hook_settings.icims.customer_id))
        seen[receipt["eventId"]] = duplicates

    check()


def test_a_body_that_parses_is_stored_with_exactly_the_values_sent(
    client: TestClient, hook_settings: Settings, engine: Engine
) -> None:
    @BOUNDED
    @given(document=notifications(hook_settings.icims.customer_id))
    def check(document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        response = client.post(WEBHOOK_PATH, content=body, headers=authenticated(hook_settings, body, {}))
        assert response.status_code in (200, 400), (response.status_code, response.text[:300])
        if response.status_code == 200 and not response.json()["duplicate"]:
            payload, _ = stored_payload(engine, response.json()["eventId"])
            assert payload == document

    check()


# -- what the fuzzing found (each was a 500) ----------------------------------------------------------------------


def _nested(depth: int) -> object:
    value: object = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    "extra",
    [
        {"eventType": "Status\x00Change"},  # PostgreSQL: a text column cannot hold NUL
        {"note": "x\udfff"},  # anywhere: an unpaired surrogate cannot be encoded for the audit hash
        {"x\ud800": 1},
        {"deep": _nested(500)},  # the stack overflowed while the payload was serialised
    ],
    ids=["nul-in-event-type", "surrogate-in-a-value", "surrogate-in-a-key", "nested-500-deep"],
)
def test_a_signed_body_that_cannot_be_stored_gets_400_and_stores_nothing(
    client: TestClient, hook_settings: Settings, engine: Engine, extra: dict[str, Any]
) -> None:
    document = {**event_payload(hook_settings), **extra}
    body = json.dumps(document).encode()
    response = client.post(WEBHOOK_PATH, content=body, headers=authenticated(hook_settings, body, {}))
    assert response.status_code == 400
    assert set(response.json()["error"]) == VENDOR_ERROR_KEYS
    assert counts(engine) == (0, 0)


def test_nesting_up_to_the_limit_is_stored(client: TestClient, hook_settings: Settings, engine: Engine) -> None:
    document = {**event_payload(hook_settings), "deep": _nested(MAX_NESTING - 1)}
    body = json.dumps(document).encode()
    response = client.post(WEBHOOK_PATH, content=body, headers=authenticated(hook_settings, body, {}))
    assert response.status_code == 200
    assert stored_payload(engine, response.json()["eventId"])[0] == document
