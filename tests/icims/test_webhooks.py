"""Event notifications: parsing (gzip, string ids, Link header), Basic and HMAC verification, duplicate keys."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icims.config import WebhookAuth
from icims.models import WorkflowStatusChangeEvent
from icims.webhooks import (
    MalformedWebhookError,
    WebhookAuthError,
    duplicate_key,
    parse_event,
    parse_link_header,
    parse_status_change,
    sign_hmac,
    verify_basic,
    verify_hmac,
    verify_request,
)

NOW = datetime(2030, 3, 4, 12, 0, 0, tzinfo=UTC)
URL = "https://offers.example.test/webhooks/icims?tenant=4321"
ODD_LINK = (
    'https://api.icims.com/customers/4321/jobs/20;rel="job";title="Job Profile",'
    'https://api.icims.com/customers/4321/people/11;rel="person";title="Person Profile",'
)


def event(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customerId": "4321",
        "eventType": "WorkFlowStatusChangeEvent",
        "systemId": "30",
        "jobId": "20",
        "personId": "11",
        "userId": "10",
        "oldStatus": "100",
        "newStatus": "200",
        "links": [
            {
                "rel": "applicantWorkflow",
                "title": "Applicant Workflow",
                "url": "https://api.icims.com/customers/4321/applicantworkflows/30",
            },
            {"rel": "job", "title": "Job Profile", "url": "https://api.icims.com/customers/4321/jobs/20"},
        ],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def gz(payload: dict[str, Any]) -> bytes:
    return gzip.compress(json.dumps(payload).encode())


GZIP = {"Content-Encoding": "gzip", "Content-Type": "application/json"}


# -- parsing ---------------------------------------------------------------------------------------------


def test_gzip_status_change_with_string_ids() -> None:
    parsed = parse_status_change(gz(event()), GZIP)
    assert isinstance(parsed, WorkflowStatusChangeEvent)
    assert (parsed.customer_id, parsed.system_id, parsed.job_id, parsed.person_id, parsed.user_id) == (
        4321,
        30,
        20,
        11,
        10,
    )
    assert (parsed.old_status, parsed.new_status) == ("100", "200")
    assert parsed.link("applicantworkflow") is not None


def test_plain_json_body_and_gzip_without_the_header() -> None:
    assert parse_status_change(json.dumps(event()).encode()).system_id == 30
    assert parse_status_change(gz(event()), {"Content-Type": "application/json"}).system_id == 30


def test_links_come_from_the_odd_link_header_when_the_body_has_none() -> None:
    parsed = parse_status_change(gz(event(links=None)), {**GZIP, "Link": ODD_LINK})
    assert [(lk.rel, lk.title) for lk in parsed.links] == [("job", "Job Profile"), ("person", "Person Profile")]
    assert parsed.links[1].url == "https://api.icims.com/customers/4321/people/11"


def test_link_header_rfc_form() -> None:
    links = parse_link_header('<https://a.test/x;y>; rel="job", <https://a.test/p>; rel="person"; title="P"')
    assert [(lk.url, lk.rel, lk.title) for lk in links] == [
        ("https://a.test/x;y", "job", None),
        ("https://a.test/p", "person", "P"),
    ]


def test_other_event_types_parse_generically_but_are_not_status_changes() -> None:
    body = json.dumps({"customerId": "1", "eventType": "ApplicationCompletedEvent", "systemId": "9", "returnUrl": "x"})
    assert parse_event(body.encode()).event_type == "ApplicationCompletedEvent"
    with pytest.raises(MalformedWebhookError, match="expected eventType"):
        parse_status_change(body.encode())


def _bomb() -> bytes:
    return gzip.compress(b"{" + b" " * 3_000_000 + b"}")


@pytest.mark.parametrize(
    ("body", "headers", "why"),
    [
        (gz(event())[:-12], GZIP, "truncated"),
        (b"not gzip at all", GZIP, "not valid gzip"),
        (gz(event()) + b"trailing", GZIP, "after the gzip stream"),
        (b"{'single': 'quotes'}", {}, "not JSON"),
        (b"[1, 2, 3]", {}, "JSON object"),
        (b"\xff\xfe\x00garbage", {}, "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, {}, "not JSON"),
        (json.dumps(event(customerId="acme")).encode(), {}, "customerId"),
        (json.dumps(event(systemId=30.5)).encode(), {}, "systemId"),
        (json.dumps(event(systemId=True)).encode(), {}, "systemId"),
        (json.dumps(event(newStatus=None)).encode(), {}, "newStatus"),
        (json.dumps(event(newStatus=["200"])).encode(), {}, "newStatus"),
        (json.dumps(event(links="https://x")).encode(), {}, "links"),
        (json.dumps(event(eventType=None)).encode(), {}, "eventType"),
        (_bomb(), GZIP, "limit"),
        (b" " * 2_000_000, {}, "limit"),
        (gz(event()), {"Content-Encoding": "br"}, "Content-Encoding"),
    ],
)
def test_malformed_bodies_raise_a_clear_typed_error(body: bytes, headers: dict[str, str], why: str) -> None:
    with pytest.raises(MalformedWebhookError, match=why) as raised:
        parse_status_change(body, headers)
    assert raised.value.status_code == 400
    assert raised.value.error_body()["error"]["userMessage"]
    assert why.lower() in raised.value.error_body()["error"]["debugErrorMessage"].lower()


# -- duplicates ----------------------------------------------------------------------------------------------


def test_duplicate_key_is_stable_across_redeliveries() -> None:
    first = parse_status_change(gz(event()), GZIP)
    reordered = dict(reversed(list(event(userId="99", links=None).items())))
    again = parse_status_change(json.dumps(reordered).encode(), {"Link": ODD_LINK})
    assert duplicate_key(first) == duplicate_key(again)
    assert len(duplicate_key(first)) == 64


@pytest.mark.parametrize(
    "change", [{"newStatus": "300"}, {"oldStatus": "150"}, {"systemId": "31"}, {"customerId": "1"}]
)
def test_duplicate_key_differs_for_a_different_transition(change: dict[str, str]) -> None:
    assert duplicate_key(parse_status_change(gz(event()))) != duplicate_key(parse_status_change(gz(event(**change))))


# -- Basic -------------------------------------------------------------------------------------------------


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_basic_good_and_bad() -> None:
    verify_basic(basic("icims", "pa:ss word"), username="icims", password="pa:ss word")
    for headers in (
        basic("icims", "wrong"),
        basic("other", "pa:ss word"),
        {},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Bearer abc"},
    ):
        with pytest.raises(WebhookAuthError) as raised:
            verify_basic(headers, username="icims", password="pa:ss word")
        assert raised.value.status_code == 401


# -- HMAC -----------------------------------------------------------------------------------------------------

KEY = "k3y-for-hmac-tests-only-0123456789"


def signed(body: bytes, *, secret: str = KEY, user: str = "icims-events", now: datetime = NOW) -> dict[str, str]:
    return {
        **sign_hmac(method="POST", url=URL, body=body, user=user, secret=secret, now=now),
        "content-encoding": "gzip",
    }


def check(headers: dict[str, str], body: bytes, *, now: datetime = NOW, skew: float = 300) -> None:
    verify_hmac(
        method="POST",
        path="/webhooks/icims",
        query="tenant=4321",
        headers=headers,
        body=body,
        user="icims-events",
        secret=KEY,
        max_skew_seconds=skew,
        now=now,
    )


def test_hmac_good_signature_verifies() -> None:
    body = gz(event())
    headers = signed(body)
    assert headers["authorization"].startswith("x-icims-v1-hmac-sha256 user=icims-events, signedheaders=")
    assert headers["x-icims-date"] == "2030-03-04T12:00:00+0000"
    check(headers, body, now=NOW + timedelta(seconds=200))


def test_hmac_accepts_a_content_hash_of_the_json_inside_the_gzip() -> None:
    inner = json.dumps(event()).encode()
    headers = sign_hmac(method="POST", url=URL, body=inner, user="icims-events", secret=KEY, now=NOW)
    check({**headers, "content-encoding": "gzip"}, gzip.compress(inner))


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda h, b: (h, gz(event(newStatus="999"))), "does not match the body"),
        (lambda h, b: (signed(b, secret="another-secret-entirely"), b), "signature"),
        (lambda h, b: (signed(b, user="mallory"), b), "signature or user"),
        (lambda h, b: (signed(b, now=NOW - timedelta(minutes=6)), b), "away from now"),
        (lambda h, b: (signed(b, now=NOW + timedelta(minutes=6)), b), "away from now"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "x-icims-date"}, b), "must be present"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "authorization"}, b), "no Authorization"),
        (lambda h, b: ({**h, "authorization": h["authorization"].replace("x-icims-date", "")}, b), "signed"),
        (lambda h, b: ({**h, "host": "evil.example"}, b), "signature"),
        (lambda h, b: ({**h, "x-icims-date": "yesterday"}, b), "ISO-8601"),
        (lambda h, b: ({**h, "authorization": "x-icims-v1-hmac-sha256 user=icims-events"}, b), "must carry"),
        (lambda h, b: ({**h, "authorization": "Basic Zm9vOmJhcg=="}, b), "expected x-icims"),
    ],
)
def test_hmac_bad_requests_are_refused(mutate: Any, why: str) -> None:
    body = gz(event())
    headers, sent = mutate(signed(body), body)
    with pytest.raises(WebhookAuthError, match=why) as raised:
        check(headers, sent)
    assert raised.value.error_body()["error"]["debugErrorMessage"]


def test_verify_request_uses_the_configured_mode() -> None:
    body = gz(event())
    hmac_auth = WebhookAuth(mode="hmac", hmac_user="icims-events", max_clock_skew_seconds=60)
    verify_request(
        hmac_auth,
        secret=KEY,
        method="POST",
        path="/webhooks/icims",
        query="tenant=4321",
        headers=signed(body),
        body=body,
        now=NOW,
    )
    basic_auth = WebhookAuth(mode="basic", username="icims")
    verify_request(
        basic_auth,
        secret="pw-1234567890",
        method="POST",
        path="/",
        query="",
        headers=basic("icims", "pw-1234567890"),
        body=body,
    )
    with pytest.raises(WebhookAuthError):
        verify_request(
            basic_auth, secret="pw-1234567890", method="POST", path="/", query="", headers=signed(body), body=body
        )


# -- never a crash --------------------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "customerId": scalars | st.from_regex(r"\d{1,6}", fullmatch=True),
        "eventType": scalars | st.just("WorkFlowStatusChangeEvent"),
        "systemId": scalars | st.from_regex(r"\d{1,6}", fullmatch=True),
        "newStatus": scalars,
        "oldStatus": scalars,
        "links": st.lists(st.dictionaries(st.sampled_from(["rel", "url", "title"]), scalars, max_size=3), max_size=2)
        | scalars,
    },
)


@settings(max_examples=200)
@given(payloads, st.booleans())
def test_parser_returns_an_event_or_raises_malformed(payload: dict[str, Any], compress: bool) -> None:
    raw = json.dumps(payload).encode()
    body = gzip.compress(raw) if compress else raw
    try:
        parsed = parse_event(body, GZIP if compress else {})
    except MalformedWebhookError:
        return
    assert parsed.customer_id >= 0
    assert parsed.event_type.strip()


@given(st.binary(max_size=300), st.sampled_from([{}, GZIP, {"Link": "garbage;rel=,"}]))
def test_arbitrary_bytes_never_crash_the_parser(body: bytes, headers: dict[str, str]) -> None:
    with contextlib.suppress(MalformedWebhookError):
        parse_event(body, headers)


@given(st.text(max_size=200))
def test_arbitrary_link_headers_never_crash(value: str) -> None:
    for link in parse_link_header(value):
        assert link.url


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=60), max_size=6), st.binary(max_size=64))
def test_arbitrary_headers_never_crash_hmac_verification(headers: dict[str, str], body: bytes) -> None:
    with pytest.raises(WebhookAuthError):
        check(headers, body)
