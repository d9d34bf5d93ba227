"""Rate-limit bookkeeping (``x-ratelimit-*`` headers) and the retry back-off schedule."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimitStatus:
    """The last ``x-ratelimit-*`` headers seen: iCIMS counts requests per UTC day; reset is in seconds."""

    limit: int | None
    remaining: int | None
    reset_seconds: float | None
    observed_at: float

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], now: float) -> RateLimitStatus | None:
        limit = _int_header(headers, "x-ratelimit-limit")
        remaining = _int_header(headers, "x-ratelimit-remaining")
        reset = _int_header(headers, "x-ratelimit-reset")
        if limit is None and remaining is None and reset is None:
            return None
        return cls(
            limit=limit, remaining=remaining, reset_seconds=None if reset is None else float(reset), observed_at=now
        )

    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    def seconds_until_reset(self, now: float) -> float | None:
        if self.reset_seconds is None:
            return None
        return max(0.0, self.reset_seconds - (now - self.observed_at))


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds (HTTP-date form is not used by iCIMS and is ignored)."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


@dataclass
class Backoff:
    """Exponential back-off with equal jitter: attempt n waits between d/2 and d, d = min(max, base * 2**n)."""

    base_seconds: float
    max_seconds: float
    rng: random.Random

    def delay(self, attempt: int) -> float:
        ceiling = min(self.max_seconds, self.base_seconds * float(2**attempt))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None
