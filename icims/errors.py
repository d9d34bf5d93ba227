"""Typed errors for the iCIMS REST API, mapped from the ``errors[].errorCode`` body and the HTTP status.

iCIMS reports problems as ``{"errors": [{"errorMessage": "...", "errorCode": 2}]}`` (``errorCode`` is an
integer) and mirrors them in ``X-Error: <code>:<detail>`` headers. Known codes: 0 internal error, 1 required
field, 2 not found, 3 access denied (served as HTTP 404, not 403), 6 invalid credentials.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

FIELD_REQUIRED = 1
RESOURCE_NOT_FOUND = 2
RESOURCE_ACCESS_DENIED = 3
INTERNAL_ERROR = 0
INVALID_CREDENTIALS = 6


class ICIMSError(Exception):
    """Any failure talking to iCIMS; carries what iCIMS said and the request's transaction id."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        transaction_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.transaction_id = transaction_id

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code is not None:
            parts.append(f"errorCode {self.code}")
        if self.transaction_id:
            parts.append(f"transaction {self.transaction_id}")
        return " | ".join(parts)


class NotFound(ICIMSError):  # noqa: N818 - iCIMS's own vocabulary
    """The profile, field or file does not exist (errorCode 2, HTTP 404)."""


class AccessDenied(ICIMSError):  # noqa: N818 - iCIMS's own vocabulary
    """The integration user may not see the resource (errorCode 3; iCIMS answers HTTP 404)."""


class RequiredField(ICIMSError):  # noqa: N818 - iCIMS's own vocabulary
    """A write was refused because a field configured as required is empty (errorCode 1, HTTP 400)."""


class AuthError(ICIMSError):
    """Credentials or token refused (errorCode 6, HTTP 401, or the token endpoint said no)."""


class BadRequest(ICIMSError):  # noqa: N818 - iCIMS's own vocabulary
    """iCIMS rejected the request itself, e.g. an invalid search filter (HTTP 400)."""


class RateLimited(ICIMSError):  # noqa: N818 - iCIMS's own vocabulary
    """The request quota is exhausted or iCIMS is throttling (HTTP 429); retry after ``reset_seconds``."""

    def __init__(self, message: str, *, reset_seconds: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reset_seconds = reset_seconds


class ServerError(ICIMSError):
    """iCIMS failed (HTTP 5xx or errorCode 0)."""


class Unavailable(ServerError):  # noqa: N818 - iCIMS's own vocabulary
    """iCIMS could not be reached or did not answer in time (after the allowed retries)."""


class InvalidResponse(ICIMSError):  # noqa: N818 - iCIMS's own vocabulary
    """iCIMS answered 2xx with a body this client cannot read as the expected shape."""


_BY_CODE: dict[int, type[ICIMSError]] = {
    INTERNAL_ERROR: ServerError,
    FIELD_REQUIRED: RequiredField,
    RESOURCE_NOT_FOUND: NotFound,
    RESOURCE_ACCESS_DENIED: AccessDenied,
    INVALID_CREDENTIALS: AuthError,
}


def error_from_response(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    reset_seconds: float | None = None,
) -> ICIMSError:
    """The typed error for a non-2xx response: 429 first, then the iCIMS errorCode, then the HTTP status."""
    code, message = _first_error(body, headers)
    transaction = headers.get("x-transaction")
    text = message or f"iCIMS answered HTTP {status}"
    if status == 429:
        return RateLimited(text, status=status, code=code, transaction_id=transaction, reset_seconds=reset_seconds)
    cls = _BY_CODE.get(code) if code is not None else None
    if cls is None:
        cls = _by_status(status)
    return cls(text, status=status, code=code, transaction_id=transaction)


def _by_status(status: int) -> type[ICIMSError]:
    if status == 401:
        return AuthError
    if status == 403:
        return AccessDenied
    if status == 404:
        return NotFound
    if status >= 500:
        return ServerError
    if status in (400, 409, 422):
        return BadRequest
    return ICIMSError


def _first_error(body: bytes, headers: Mapping[str, str]) -> tuple[int | None, str | None]:
    """The first ``errors[]`` entry of the body, else the ``X-Error`` header, else nothing."""
    try:
        payload = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        payload = None
    if isinstance(payload, dict):
        errors = payload.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return _as_code(first.get("errorCode")), _as_message(first.get("errorMessage"))
        if isinstance(payload.get("error"), str):  # the OAuth (Auth0-style) token endpoint
            detail = payload.get("error_description")
            return None, f"{payload['error']}: {detail}" if isinstance(detail, str) else payload["error"]
    header = headers.get("x-error")
    if header:
        code_text, _, detail = header.partition(":")
        return _as_code(code_text.strip()), detail.strip() or None
    return None, None


def _as_code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _as_message(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
