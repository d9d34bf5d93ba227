"""Per-key rate limits (token buckets) for what candidates can trigger: portal-link sign-ins and chat messages.

    limiter = RateLimiter(DEFAULT_LIMITS)                       # in-process (one app process)
    limiter = RateLimiter(DEFAULT_LIMITS, DatabaseBuckets(engine))  # shared by every process on one database
    decision = limiter.take("link", client_ip(request))         # key "link:<ip>"
    if not decision.allowed:
        return too_many_requests_response(decision)             # 429 + Retry-After

    limiter.check("chat", str(workflow_id))                     # raises TooManyRequestsError(retry_after_seconds=…)

A limit is a burst (`capacity`) and a sustained rate (`per_minute`). Each kind of key has its own limit.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine
from starlette.responses import JSONResponse

from offer_engine import ratelimits
from offer_engine.db import session_scope


class RateLimit(BaseModel):
    model_config = ConfigDict(frozen=True)

    capacity: int = Field(gt=0, description="Requests allowed in a burst.")
    per_minute: float = Field(gt=0, description="Sustained requests per minute (the refill rate).")

    @property
    def refill_per_second(self) -> float:
        return self.per_minute / 60.0


# Generous for a person, tight for a script: a candidate opens their link a few times, and types a message every
# few seconds at most.
DEFAULT_LIMITS: Mapping[str, RateLimit] = {
    "link": RateLimit(capacity=10, per_minute=10),
    "chat": RateLimit(capacity=20, per_minute=30),
    "widget": RateLimit(capacity=10, per_minute=10),
    "webhook": RateLimit(capacity=600, per_minute=12000),
    # staff sign-in: a person mistypes a few times; a script guessing from one address gets one try every 10 s
    "login": RateLimit(capacity=5, per_minute=6),
    # every address together: a distributed guess is slowed down too (the lock-out is per address)
    "login-global": RateLimit(capacity=60, per_minute=120),
}


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    allowed: bool
    remaining: int
    retry_after_seconds: float

    @property
    def retry_after_header(self) -> str:
        """Whole seconds, rounded up (``Retry-After`` takes an integer), at least 1 when refused."""
        return "0" if self.allowed else str(max(1, math.ceil(self.retry_after_seconds)))


class TooManyRequestsError(Exception):
    """A key used up its limit; ``retry_after_seconds`` says when one more request will be allowed."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(f"too many requests for {decision.key}; retry after {decision.retry_after_header} s")
        self.decision = decision
        self.retry_after_seconds = decision.retry_after_seconds


class BucketStore(Protocol):
    def take(self, key: str, limit: RateLimit, now: float, cost: float) -> tuple[bool, float, float]:
        """(allowed, tokens left, seconds until `cost` tokens are available)."""
        ...


class MemoryBuckets:
    """Buckets in this process's memory; the least recently used are forgotten beyond `max_keys`."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, limit: RateLimit, now: float, cost: float) -> tuple[bool, float, float]:
        with self._lock:
            tokens, updated = self._buckets.pop(key, (float(limit.capacity), now))
            level = min(float(limit.capacity), tokens + max(0.0, now - updated) * limit.refill_per_second)
            stamp = max(now, updated)
            if level >= cost:
                self._remember(key, level - cost, stamp)
                return True, level - cost, 0.0
            self._remember(key, level, stamp)
            return False, level, (cost - level) / limit.refill_per_second

    def _remember(self, key: str, tokens: float, stamp: float) -> None:
        self._buckets[key] = (tokens, stamp)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)


class DatabaseBuckets:
    """Buckets in the `rate_limit_buckets` table: one limit per key across every process sharing the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def take(self, key: str, limit: RateLimit, now: float, cost: float) -> tuple[bool, float, float]:
        with session_scope(self.engine) as session:
            state = ratelimits.take(
                session, key, capacity=limit.capacity, refill_per_second=limit.refill_per_second, now=now, cost=cost
            )
        return state.allowed, state.tokens, state.retry_after_seconds

    def prune(self, limits: Mapping[str, RateLimit], now: float | None = None) -> int:
        """Forget buckets idle long enough to be full again under the slowest limit."""
        slowest = max(limit.capacity / limit.refill_per_second for limit in limits.values())
        with session_scope(self.engine) as session:
            return ratelimits.prune(session, idle_before=(now or time.time()) - slowest)


class RateLimiter:
    """Named limits over one bucket store; a key is ``"<kind>:<subject>"``."""

    def __init__(
        self,
        limits: Mapping[str, RateLimit] = DEFAULT_LIMITS,
        store: BucketStore | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits = dict(limits)
        self.store: BucketStore = store or MemoryBuckets()
        self._clock = clock

    def take(self, kind: str, subject: str, cost: float = 1.0) -> Decision:
        limit = self.limits.get(kind)
        if limit is None:
            raise KeyError(f"no rate limit is configured for {kind!r} (known: {', '.join(sorted(self.limits))})")
        key = f"{kind}:{subject}"
        allowed, tokens, wait = self.store.take(key, limit, self._clock(), cost)
        return Decision(key=key, allowed=allowed, remaining=int(tokens), retry_after_seconds=0.0 if allowed else wait)

    def check(self, kind: str, subject: str, cost: float = 1.0) -> Decision:
        """Like `take`, but a refusal raises :class:`TooManyRequestsError`."""
        decision = self.take(kind, subject, cost)
        if not decision.allowed:
            raise TooManyRequestsError(decision)
        return decision

    async def atake(self, kind: str, subject: str, cost: float = 1.0) -> Decision:
        """`take` off the event loop (a database store blocks)."""
        if isinstance(self.store, MemoryBuckets):
            return self.take(kind, subject, cost)
        return await asyncio.to_thread(self.take, kind, subject, cost)

    async def acheck(self, kind: str, subject: str, cost: float = 1.0) -> Decision:
        decision = await self.atake(kind, subject, cost)
        if not decision.allowed:
            raise TooManyRequestsError(decision)
        return decision


def too_many_requests_response(decision: Decision, message: str | None = None) -> JSONResponse:
    """HTTP 429 with ``Retry-After``; the body says the same in words."""
    wait = decision.retry_after_header
    return JSONResponse(
        {
            "error": "too_many_requests",
            "message": message or f"Too many requests. Please try again in {wait} seconds.",
            "retry_after_seconds": int(wait),
        },
        status_code=429,
        headers={"Retry-After": wait, "Cache-Control": "no-store"},
    )


def client_ip(scope: Mapping[str, Any], trusted_proxies: frozenset[str] = frozenset()) -> str:
    """The caller's address; ``X-Forwarded-For`` is believed only when the direct peer is a trusted proxy.

    Behind a load balancer, pass its addresses as `trusted_proxies`: the right-most address it did not add is the
    client (earlier entries are whatever the client chose to send).
    """
    peer = (scope.get("client") or ("unknown", 0))[0]
    if peer not in trusted_proxies:
        return str(peer)
    forwarded = ""
    for name, value in scope.get("headers") or []:
        if bytes(name).lower() == b"x-forwarded-for":
            forwarded = bytes(value).decode("latin-1")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    while hops and hops[-1] in trusted_proxies:
        hops.pop()
    return hops[-1] if hops else str(peer)
