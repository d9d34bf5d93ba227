from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime

import jwt
import pytest
from pydantic import ValidationError

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


# -- issue 14: what mutation testing showed untested (scripts/mutation.sh app/links.py) ---------------------------


def _crafted(**changes: object) -> str:
    """A token signed with our key carrying claims `issue_token` would never write (None removes a claim)."""
    now = int(time.time())
    claims: dict[str, object] = {
        "aud": Audience.PORTAL.value, "sub": "3401", "wf": 3401, "off": 7, "gen": 2, "jti": "abc_DEF-123",
        "iat": now, "exp": now + 600, "one": False,
    }  # fmt: skip
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, KEY, algorithm="HS256")


@pytest.mark.parametrize(
    "changes",
    [
        {"wf": 2**63}, {"wf": -1}, {"wf": "3401"}, {"wf": 3401.0}, {"wf": None},
        {"off": 2**63}, {"off": -1}, {"off": "7"},
        {"gen": 2**63}, {"gen": -1}, {"gen": "2"},
        {"one": 1}, {"one": "true"},
        {"jti": "a" * 65}, {"jti": "a b"}, {"jti": ""},
        {"iat": -1}, {"iat": "0"},
        {"exp": 253402300800},  # 10000-01-01: past what a datetime holds
        {"exp": 253370764800},  # 9999-01-01: the first second past the bound
    ],
    ids=str,
)  # fmt: skip
def test_claims_out_of_bounds_or_of_the_wrong_type_refuse_the_link(changes: dict[str, object]) -> None:
    with pytest.raises(LinkError) as refused:
        verify_token(KEY, _crafted(**changes), audience=Audience.PORTAL)
    assert refused.value.reason == "invalid link"


@pytest.mark.parametrize(
    "changes",
    [{"wf": 2**63 - 1}, {"wf": 0}, {"off": 2**63 - 1}, {"gen": 2**63 - 1}, {"gen": 0}, {"jti": "a" * 64}, {"iat": 0}],
    ids=str,
)
def test_claims_at_their_bounds_are_accepted(changes: dict[str, object]) -> None:
    verify_token(KEY, _crafted(**changes), audience=Audience.PORTAL)
    latest = int(datetime(9999, 1, 1, tzinfo=UTC).timestamp()) - 1
    assert verify_token(KEY, _crafted(exp=latest), audience=Audience.PORTAL).exp == latest


def test_missing_optional_claims_mean_no_offer_generation_zero_and_a_reusable_link() -> None:
    claims = verify_token(KEY, _crafted(off=None, gen=None, one=None), audience=Audience.PORTAL)
    assert (claims.offer_id, claims.generation, claims.one_time) == (None, 0, False)
    issued = verify_token(
        KEY, issue_token(KEY, audience=Audience.PORTAL, workflow_id=1, ttl_seconds=60), audience=Audience.PORTAL
    )
    assert (issued.generation, issued.one_time) == (0, False)


def test_claims_cannot_be_changed_after_verification() -> None:
    claims = verify_token(KEY, _crafted(), audience=Audience.PORTAL)
    with pytest.raises(ValidationError):
        claims.workflow_id = 3402  # type: ignore[misc]


def test_token_ids_carry_at_least_128_bits() -> None:
    jti = verify_token(KEY, _token(), audience=Audience.PORTAL).jti
    assert len(jti) >= 22  # 16 random bytes, base64url


def test_empty_and_oversized_tokens_are_refused_before_decoding() -> None:
    for token in ("", "x" * 4097):
        with pytest.raises(LinkError, match="empty or oversized"):
            verify_token(KEY, token, audience=Audience.PORTAL)
    with pytest.raises(LinkError) as decoded:
        verify_token(KEY, "x" * 4096, audience=Audience.PORTAL)
    assert "oversized" not in str(decoded.value)


def test_a_link_must_live_at_least_a_second() -> None:
    with pytest.raises(ValueError, match="must expire"):
        _token(ttl_seconds=0)
    assert verify_token(KEY, _token(ttl_seconds=1), audience=Audience.PORTAL).exp > time.time()


def test_link_error_messages_keep_the_reason_first() -> None:
    assert str(LinkError("invalid link", "why")) == "invalid link: why"
    assert str(LinkError("expired link")) == "expired link"


def test_a_token_is_expired_at_its_exp_second_exactly() -> None:
    claims = verify_token(KEY, _token(), audience=Audience.PORTAL)
    verify_token(KEY, _token(now=claims.iat), audience=Audience.PORTAL, now=claims.exp - 1)
    with pytest.raises(LinkError, match="expired"):
        verify_token(KEY, _token(now=claims.iat), audience=Audience.PORTAL, now=claims.exp)


def test_a_key_of_exactly_the_minimum_length_is_accepted() -> None:
    key = "Kq8vN3kLw2pR7tYc5xHs9bMd4gFj6aEu"
    assert len(key) == 32
    verify_token(
        key, issue_token(key, audience=Audience.PORTAL, workflow_id=1, ttl_seconds=60), audience=Audience.PORTAL
    )
    with pytest.raises(ValueError, match="at least 32"):
        issue_token(key[:31], audience=Audience.PORTAL, workflow_id=1, ttl_seconds=60)


def test_a_negative_lifetime_is_refused_too() -> None:
    with pytest.raises(ValueError, match="must expire"):
        _token(ttl_seconds=-60)


def test_an_expired_token_is_refused_on_the_real_clock() -> None:
    old = _token(ttl_seconds=60, now=time.time() - 3600)
    with pytest.raises(LinkError, match="expired"):
        verify_token(KEY, old, audience=Audience.PORTAL)  # no `now`: PyJWT checks exp against the clock
