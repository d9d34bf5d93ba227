from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from app.links import Audience, LinkError, issue_token, verify_token

KEY = "k" * 16 + "x" * 16 + "signing-key-for-tests"
OTHER_KEY = "another-signing-key-that-is-long-enough-123"


def _token(**kwargs: object) -> str:
    defaults: dict[str, object] = {"audience": Audience.PORTAL, "workflow_id": 3401, "ttl_seconds": 600}
    defaults.update(kwargs)
    return issue_token(KEY, **defaults)  # type: ignore[arg-type]


def test_round_trip_carries_the_workflow_and_generation() -> None:
    claims = verify_token(KEY, _token(offer_id=7, generation=3, one_time=True), audience=Audience.PORTAL)
    assert (claims.workflow_id, claims.offer_id, claims.generation, claims.one_time) == (3401, 7, 3, True)
    assert claims.exp - claims.iat == 600


def test_each_token_has_a_unique_id() -> None:
    first = verify_token(KEY, _token(), audience=Audience.PORTAL)
    second = verify_token(KEY, _token(), audience=Audience.PORTAL)
    assert first.jti != second.jti


def test_forged_signature_is_refused() -> None:
    forged = issue_token(OTHER_KEY, audience=Audience.PORTAL, workflow_id=3401, ttl_seconds=600)
    with pytest.raises(LinkError, match="invalid link"):
        verify_token(KEY, forged, audience=Audience.PORTAL)


def test_swapping_the_workflow_id_in_the_payload_breaks_the_signature() -> None:
    header, payload, signature = _token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["wf"], claims["sub"] = 3402, "3402"
    tampered_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(LinkError, match="invalid link"):
        verify_token(KEY, f"{header}.{tampered_payload}.{signature}", audience=Audience.PORTAL)


def test_unsigned_token_is_refused() -> None:
    unsigned = jwt.encode(
        {"aud": Audience.PORTAL.value, "sub": "1", "wf": 1, "jti": "x", "iat": 1, "exp": 2**40},
        key=None,
        algorithm="none",
    )
    with pytest.raises(LinkError):
        verify_token(KEY, unsigned, audience=Audience.PORTAL)


def test_expired_token_is_refused() -> None:
    token = _token(ttl_seconds=60)
    with pytest.raises(LinkError, match="expired"):
        verify_token(KEY, token, audience=Audience.PORTAL, now=time.time() + 61)


def test_widget_token_does_not_open_the_portal() -> None:
    with pytest.raises(LinkError, match="invalid link"):
        verify_token(KEY, _token(audience=Audience.WIDGET), audience=Audience.PORTAL)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "x" * 5000, "eyJhbGciOiJIUzI1NiJ9.e30."])
def test_garbage_is_refused_with_a_clear_reason(garbage: str) -> None:
    with pytest.raises(LinkError) as info:
        verify_token(KEY, garbage, audience=Audience.PORTAL)
    assert info.value.reason in {"invalid link", "expired link"}


def test_short_keys_and_links_that_never_expire_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        issue_token("short", audience=Audience.PORTAL, workflow_id=1, ttl_seconds=60)
    with pytest.raises(ValueError, match="must expire"):
        _token(ttl_seconds=0)
