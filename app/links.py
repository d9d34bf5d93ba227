"""Signed, expiring candidate links: the portal link in iCIMS and the careers-widget token.

A link carries only a token; the offer it opens comes from the token's claims, never from anything the
candidate sends. Tokens are HS256 JWTs (PyJWT compares signatures in constant time) with an audience,
an expiry, a unique id (for one-time links) and the offer's link generation: rotating or revoking a
link bumps the generation, which invalidates every older token at once.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import jwt
import jwt.types
from pydantic import BaseModel, ConfigDict, Field, ValidationError

ALGORITHM = "HS256"
MIN_KEY_LENGTH = 32
# Claims are checked even though only our key signs them: a value out of these bounds fails later, in a database
# column (ids are BIGINT, text cannot hold NUL) or in a datetime, and must refuse the link, not crash the sign-in.
_Id = Annotated[int, Field(strict=True, ge=0, lt=2**63)]
_Timestamp = Annotated[int, Field(strict=True, ge=0, lt=int(datetime(9999, 1, 1, tzinfo=UTC).timestamp()))]


class Audience(StrEnum):
    PORTAL = "offer-assistant/portal"
    WIDGET = "offer-assistant/widget"


class LinkError(Exception):
    """A link that must not open a chat; `reason` is safe to show, details are for logs."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class LinkClaims(BaseModel):
    """What a valid link grants: one candidate's access to one offer."""

    model_config = ConfigDict(frozen=True)

    workflow_id: _Id
    offer_id: _Id | None = None
    generation: _Id = 0
    jti: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")  # token_urlsafe(16) makes 22; the used-token row holds 64
    exp: _Timestamp
    iat: _Timestamp
    one_time: Annotated[bool, Field(strict=True)] = False


def issue_token(
    key: str,
    *,
    audience: Audience,
    workflow_id: int,
    ttl_seconds: int,
    offer_id: int | None = None,
    generation: int = 0,
    one_time: bool = False,
    now: float | None = None,
) -> str:
    """A signed token for `workflow_id`, valid for `ttl_seconds`."""
    _require_key(key)
    if ttl_seconds <= 0:
        raise ValueError("a link must expire: ttl_seconds must be positive")
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "aud": audience.value,
        "sub": str(workflow_id),
        "wf": workflow_id,
        "off": offer_id,
        "gen": generation,
        "jti": secrets.token_urlsafe(16),
        "iat": issued,
        "exp": issued + ttl_seconds,
        "one": one_time,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify_token(key: str, token: str, *, audience: Audience, now: float | None = None) -> LinkClaims:
    """The claims of a valid token; LinkError if it is forged, tampered, expired or for another audience."""
    _require_key(key)
    if not token or len(token) > 4096:
        raise LinkError("invalid link", "empty or oversized token")
    options: jwt.types.Options = {"require": ["exp", "iat", "aud", "sub", "jti"], "verify_exp": now is None}
    try:
        raw = jwt.decode(token, key, algorithms=[ALGORITHM], audience=audience.value, options=options)
    except jwt.ExpiredSignatureError as exc:
        raise LinkError("expired link", str(exc)) from exc
    except jwt.InvalidTokenError as exc:
        raise LinkError("invalid link", f"{exc.__class__.__name__}: {exc}") from exc
    if now is not None and raw["exp"] <= now:
        raise LinkError("expired link", "past exp")
    try:
        return LinkClaims(
            workflow_id=raw["wf"],
            offer_id=raw.get("off"),
            generation=raw.get("gen", 0),
            jti=raw["jti"],
            exp=raw["exp"],
            iat=raw["iat"],
            one_time=raw.get("one", False),
        )
    except (KeyError, ValidationError) as exc:
        raise LinkError("invalid link", f"malformed claims: {exc}") from exc


def _require_key(key: str) -> None:
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"the link signing key must be at least {MIN_KEY_LENGTH} characters")
