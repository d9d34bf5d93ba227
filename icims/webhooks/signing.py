"""Verifying who sent a notification: Basic credentials or an ``x-icims-v1-hmac-sha256`` signature.

HMAC, as implemented by public iCIMS integration code (AWS SigV4-like; the official derivation is not public):

    canonical = METHOD \\n path \\n query \\n sorted "name:value" lines of the signed headers
                \\n "" \\n signed names joined by ";"
    to_sign   = "x-icims-v1-hmac-sha256" \\n x-icims-date \\n hex(sha256(canonical))
    signature = hex(hmac_sha256(secret, to_sign))
    Authorization: x-icims-v1-hmac-sha256 user=<user>, signedheaders=<a;b;c>, signature=<hex>

``x-icims-content-sha256`` is the hex SHA-256 of the body. Whether iCIMS hashes the gzip bytes on the wire or
the JSON inside is undocumented, so either is accepted; both are bound by the signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from icims.config import WebhookAuth
from icims.webhooks.errors import MalformedWebhookError, WebhookAuthError
from icims.webhooks.parsing import MAX_BODY_BYTES, decode_body, lower_headers

ALGORITHM = "x-icims-v1-hmac-sha256"
SIGNED_HEADERS = ("content-type", "host", "x-icims-content-sha256", "x-icims-date")
MUST_BE_SIGNED = frozenset({"host", "x-icims-content-sha256", "x-icims-date"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def format_icims_date(when: datetime) -> str:
    """``2017-10-18T14:53:40+0000``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def canonical_request(method: str, path: str, query: str, headers: Mapping[str, str], signed: Sequence[str]) -> str:
    names = sorted(name.lower() for name in signed)
    lowered = lower_headers(headers)
    lines = [f"{name}:{lowered.get(name, '').strip()}" for name in names]
    return "\n".join([method.upper(), path or "/", query, "\n".join(lines), "", ";".join(names)])


def signature(secret: str, date: str, canonical: str) -> str:
    to_sign = "\n".join([ALGORITHM, date, hashlib.sha256(canonical.encode()).hexdigest()])
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def sign_hmac(
    *,
    method: str,
    url: str,
    body: bytes,
    user: str,
    secret: str,
    content_type: str = "application/json",
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers that sign a request to ``url`` carrying ``body`` exactly as sent (send all of them)."""
    parts = urlsplit(url)
    headers = {
        "content-type": content_type,
        "host": _host(parts.scheme, parts.hostname or "", parts.port),
        "x-icims-content-sha256": hashlib.sha256(body).hexdigest(),
        "x-icims-date": format_icims_date(now or datetime.now(UTC)),
    }
    canonical = canonical_request(method, parts.path, parts.query, headers, SIGNED_HEADERS)
    sig = signature(secret, headers["x-icims-date"], canonical)
    headers["authorization"] = f"{ALGORITHM} user={user}, signedheaders={';'.join(SIGNED_HEADERS)}, signature={sig}"
    return headers


def verify_hmac(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    user: str,
    secret: str,
    max_skew_seconds: float,
    now: datetime | None = None,
) -> None:
    """Raise WebhookAuthError unless the request carries a valid, fresh signature by ``user`` over ``body``."""
    lowered = lower_headers(headers)
    given_user, signed, given_sig = _parse_authorization(lowered.get("authorization"))
    missing = sorted((MUST_BE_SIGNED - set(signed)) | {name for name in signed if name not in lowered})
    if missing:
        raise WebhookAuthError(f"headers {missing} must be present and signed")
    _check_date(lowered["x-icims-date"], max_skew_seconds, now or datetime.now(UTC))
    if not _body_matches(lowered["x-icims-content-sha256"], body, lowered):
        raise WebhookAuthError("x-icims-content-sha256 does not match the body")
    expected = signature(secret, lowered["x-icims-date"], canonical_request(method, path, query, lowered, signed))
    user_ok = hmac.compare_digest(given_user.encode(), user.encode())
    if not (hmac.compare_digest(expected.encode(), given_sig.lower().encode()) and user_ok):
        raise WebhookAuthError("signature or user does not match")


def verify_basic(headers: Mapping[str, str], *, username: str, password: str) -> None:
    """Raise WebhookAuthError unless ``Authorization: Basic`` carries exactly these credentials."""
    value = lower_headers(headers).get("authorization")
    if not value:
        raise WebhookAuthError("no Authorization header")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "basic":
        raise WebhookAuthError(f"expected Basic authorization, got {scheme[:30]!r}")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise WebhookAuthError("Basic credentials are not valid base64 UTF-8") from None
    given_user, _, given_password = decoded.partition(":")
    user_ok = hmac.compare_digest(given_user.encode(), username.encode())
    password_ok = hmac.compare_digest(given_password.encode(), password.encode())
    if not (user_ok and password_ok):
        raise WebhookAuthError("Basic credentials do not match")


def verify_request(
    auth: WebhookAuth,
    *,
    secret: str,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime | None = None,
) -> None:
    """Verify per the configured mode; ``secret`` is the Basic password or the HMAC key (from settings)."""
    if auth.mode == "basic":
        if not auth.username:
            raise ValueError("icims.webhook.username is not configured")
        verify_basic(headers, username=auth.username, password=secret)
        return
    if not auth.hmac_user:
        raise ValueError("icims.webhook.hmac_user is not configured")
    verify_hmac(
        method=method,
        path=path,
        query=query,
        headers=headers,
        body=body,
        user=auth.hmac_user,
        secret=secret,
        max_skew_seconds=auth.max_clock_skew_seconds,
        now=now,
    )


def _parse_authorization(value: str | None) -> tuple[str, list[str], str]:
    if not value:
        raise WebhookAuthError("no Authorization header")
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != ALGORITHM:
        raise WebhookAuthError(f"expected {ALGORITHM} authorization, got {scheme[:30]!r}")
    parts: dict[str, str] = {}
    for component in rest.split(","):
        key, sep, val = component.strip().partition("=")
        if sep:
            parts[key.strip().lower()] = val.strip()
    if not all(parts.get(k) for k in ("user", "signedheaders", "signature")):
        raise WebhookAuthError("Authorization must carry user, signedheaders and signature")
    signed = [name.strip().lower() for name in parts["signedheaders"].split(";") if name.strip()]
    return parts["user"], signed, parts["signature"]


def _check_date(value: str, max_skew_seconds: float, now: datetime) -> None:
    text = value.strip()
    try:
        sent = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            sent = datetime.fromisoformat(text)
        except ValueError:
            raise WebhookAuthError(f"x-icims-date {text[:40]!r} is not an ISO-8601 date") from None
    if sent.tzinfo is None:
        raise WebhookAuthError("x-icims-date has no time zone")
    skew = abs((now - sent).total_seconds())
    if skew > max_skew_seconds:
        raise WebhookAuthError(f"x-icims-date is {skew:.0f} s away from now (limit {max_skew_seconds:.0f} s)")


def _body_matches(declared: str, body: bytes, headers: Mapping[str, str]) -> bool:
    wanted = declared.strip().lower().encode()
    if hmac.compare_digest(hashlib.sha256(body).hexdigest().encode(), wanted):
        return True
    try:
        inner = decode_body(body, headers, max_bytes=MAX_BODY_BYTES)
    except MalformedWebhookError:
        return False
    return inner is not body and hmac.compare_digest(hashlib.sha256(inner).hexdigest().encode(), wanted)


def _host(scheme: str, hostname: str, port: int | None) -> str:
    hostname = f"[{hostname}]" if ":" in hostname else hostname
    if port is None or _DEFAULT_PORTS.get(scheme) == port:
        return hostname
    return f"{hostname}:{port}"
