"""What every sandbox API call passes through: injected faults, credentials, and the daily request quota."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icims.errors import INVALID_CREDENTIALS
from icims.sandbox.options import Faults, SandboxOptions
from icims.sandbox.store import QUOTA_EXCEEDED, SandboxHTTPError


class OutageError(Exception):
    """A hard outage: the caller answers 503 with a non-JSON body, as a load balancer would."""


class TokenBook:
    """Issued bearer tokens and their expiry on the sandbox's clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()
        self.issued = 0

    def issue(self, lifetime: int) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + lifetime
            self.issued += 1
        return token

    def valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._tokens.get(token)
        return expiry is not None and self._clock() < expiry

    def revoke_all(self) -> None:
        with self._lock:
            self._tokens.clear()


@dataclass(frozen=True)
class QuotaReading:
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset_seconds),
        }


class Quota:
    """Requests per UTC calendar day; the count resets at 00:00 UTC, as iCIMS's headers show."""

    def __init__(self, limit: int, now: Callable[[], datetime]) -> None:
        self.limit = limit
        self.used = 0
        self._now = now
        self._day = now().date()
        self._lock = threading.Lock()

    def consume(self) -> QuotaReading:
        """Count one request, or raise 429 when the day's requests are used up."""
        with self._lock:
            self._roll_day()
            if self.used >= self.limit:
                reading = self._reading()
                raise QuotaExhaustedError(reading)
            self.used += 1
            return self._reading()

    def reading(self) -> QuotaReading:
        with self._lock:
            self._roll_day()
            return self._reading()

    def set(self, limit: int | None = None, used: int | None = None) -> QuotaReading:
        with self._lock:
            self.limit = self.limit if limit is None else limit
            self.used = self.used if used is None else used
            return self._reading()

    def _roll_day(self) -> None:
        today = self._now().date()
        if today != self._day:
            self._day, self.used = today, 0

    def _reading(self) -> QuotaReading:
        now = self._now()
        midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
        reset = max(1, int((midnight - now).total_seconds()))
        return QuotaReading(self.limit, max(0, self.limit - self.used), reset)


class QuotaExhaustedError(SandboxHTTPError):
    def __init__(self, reading: QuotaReading) -> None:
        super().__init__(429, QUOTA_EXCEEDED, "The daily web-services request limit has been reached.")
        self.reading = reading


class FaultInjector:
    """Applies the current :class:`Faults` to a request; settable at runtime, thread-safe."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self._faults = faults.model_copy()
        self._rng = random.Random(faults.seed)

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults.model_copy()

    def update(self, **changes: object) -> Faults:
        with self._lock:
            merged = Faults.model_validate({**self._faults.model_dump(), **changes})
            if "seed" in changes:
                self._rng = random.Random(merged.seed)
            self._faults = merged
            return merged.model_copy()

    def clear(self) -> Faults:
        with self._lock:
            self._faults = Faults()
            return self._faults.model_copy()

    async def apply(self, method: str, path: str, *, api: bool) -> None:
        """Sleep, hang, or raise the injected failure for this request (or do nothing)."""
        with self._lock:
            faults = self._faults
            if not faults.applies_to(method, path):
                return
            action = self._take(faults, api)
        if faults.latency_seconds:
            await asyncio.sleep(faults.latency_seconds)
        if action == "outage":
            raise OutageError
        if action == "hang":
            await asyncio.sleep(faults.hang_seconds)
        elif action == "throttle":
            raise ThrottledError(faults.throttle_retry_after)
        elif action == "error":
            raise SandboxHTTPError(faults.error_status, 0, "An internal error occurred (injected by the sandbox).")
        elif action == "unauthorized":
            raise SandboxHTTPError(401, INVALID_CREDENTIALS, "Invalid or expired token.")

    def _take(self, faults: Faults, api: bool) -> str | None:
        if faults.outage:
            return "outage"
        for counter, action in (("hang_next", "hang"), ("throttle_next", "throttle"), ("fail_next", "error")):
            if getattr(faults, counter) > 0:
                setattr(faults, counter, getattr(faults, counter) - 1)
                return action
        if api and faults.unauthorized_next > 0:
            faults.unauthorized_next -= 1
            return "unauthorized"
        if faults.error_rate and self._rng.random() < faults.error_rate:
            return "error"
        return None


class ThrottledError(SandboxHTTPError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, QUOTA_EXCEEDED, "Too many requests; slow down.")
        self.retry_after = retry_after


def check_credentials(authorization: str | None, options: SandboxOptions, tokens: TokenBook) -> str:
    """Who is calling ("oauth:<client>" or "basic:<user>"), or 401 with iCIMS's errorCode 6."""
    scheme, _, credential = (authorization or "").strip().partition(" ")
    if scheme.lower() == "bearer" and credential and options.client_secret is not None and tokens.valid(credential):
        return f"oauth:{options.client_id}"
    if scheme.lower() == "basic" and options.username and options.password is not None:
        try:
            user, _, password = base64.b64decode(credential, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, password = "", ""
        user_ok = hmac.compare_digest(user.encode(), options.username.encode())
        password_ok = hmac.compare_digest(password.encode(), options.password.get_secret_value().encode())
        if user_ok and password_ok:
            return f"basic:{user}"
    raise SandboxHTTPError(401, INVALID_CREDENTIALS, "Invalid Username or Password credentials provided.")


def check_client(client_id: str, client_secret: str, options: SandboxOptions) -> bool:
    if not options.client_id or options.client_secret is None:
        return False
    id_ok = hmac.compare_digest(client_id.encode(), options.client_id.encode())
    secret_ok = hmac.compare_digest(client_secret.encode(), options.client_secret.get_secret_value().encode())
    return id_ok and secret_ok
