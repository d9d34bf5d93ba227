"""Credentials for API calls: OAuth 2.0 client credentials (cached bearer token) or Basic."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from typing import Protocol

import httpx
from pydantic import BaseModel, ValidationError

from icims.errors import AuthError, InvalidResponse, error_from_response
from icims.ratelimit import retry_after_seconds

DEFAULT_TOKEN_URL = "https://login.icims.com/oauth/token"  # noqa: S105 - a URL, not a secret


class Credentials(Protocol):
    """Produces the ``Authorization`` header; ``invalidate`` drops a cached token after a 401."""

    refreshable: bool

    def authorization(self) -> str: ...

    def invalidate(self) -> None: ...


class BasicCredentials:
    """``Authorization: Basic base64(user:password)`` of an iCIMS integration user."""

    refreshable = False

    def __init__(self, username: str, password: str) -> None:
        if not username or not password:
            raise AuthError("Basic auth needs icims.username and icims.password")
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._header = f"Basic {token}"

    def authorization(self) -> str:
        return self._header

    def invalidate(self) -> None:
        """Nothing cached: a refused password stays refused."""


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_in: float = 86400


TokenFetcher = Callable[[httpx.Request], httpx.Response]


class OAuthCredentials:
    """Client-credentials grant against ``token_url`` with ``audience``; the token is cached until it expires.

    iCIMS throttles clients that ask for more than 500 tokens in 10 minutes, so a token is reused until a
    small margin before ``expires_in`` runs out, or until the API refuses it (``invalidate``).
    """

    refreshable = True

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        audience: str,
        send: TokenFetcher,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id or not client_secret:
            raise AuthError("OAuth needs icims.client_id and icims.client_secret")
        self._token_url = token_url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "audience": audience,
        }
        self._send = send
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.tokens_fetched = 0

    def authorization(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                self._token, lifetime = self._fetch()
                self._expires_at = self._clock() + lifetime - min(60.0, lifetime * 0.1)
            return f"Bearer {self._token}"

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def _fetch(self) -> tuple[str, float]:
        request = httpx.Request("POST", self._token_url, data=self._form, headers={"Accept": "application/json"})
        response = self._send(request)
        if response.status_code in (400, 401, 403):
            error = error_from_response(response.status_code, response.content, response.headers)
            raise AuthError(
                f"token request refused: {error.message}", status=response.status_code, code=error.code
            ) from None
        if not response.is_success:  # a throttled token request says when to come back, as any other does
            after = retry_after_seconds(response.headers)
            raise error_from_response(response.status_code, response.content, response.headers, reset_seconds=after)
        try:
            token = TokenResponse.model_validate_json(response.content)
        except ValidationError as exc:
            raise InvalidResponse(f"token endpoint answered an unreadable body: {exc.errors()[:1]}") from None
        if token.token_type.lower() != "bearer" or token.expires_in <= 0:
            raise InvalidResponse(
                f"token endpoint answered token_type={token.token_type!r} expires_in={token.expires_in}"
            )
        self.tokens_fetched += 1
        return token.access_token, token.expires_in
