"""Rate limits: token buckets in memory and in the database (shared by processes), 429 with Retry-After."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.ratelimit import (
    DatabaseBuckets,
    Decision,
    MemoryBuckets,
    RateLimit,
    RateLimiter,
    TooManyRequestsError,
    client_ip,
    too_many_requests_response,
)
from offer_engine import ratelimits
from offer_engine.db import make_engine, session_scope
from offer_engine.ratelimits import RateLimitBucket

LIMITS = {"link": RateLimit(capacity=3, per_minute=6), "chat": RateLimit(capacity=5, per_minute=60)}


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


StoreFactory = Callable[[], object]


@pytest.fixture(params=["memory", "database"])
def make_store(request: pytest.FixtureRequest, engine: Engine) -> StoreFactory:
    """Each behaviour on both stores (the memory store simply ignores the database)."""
    if request.param == "memory":
        shared = MemoryBuckets()
        return lambda: shared
    return lambda: DatabaseBuckets(engine)


def _limiter(store: object, clock: Clock) -> RateLimiter:
    return RateLimiter(LIMITS, store, clock=clock)  # type: ignore[arg-type]


def test_a_burst_is_allowed_then_refused_with_the_time_to_wait(make_store: StoreFactory) -> None:
    clock = Clock()
    limiter = _limiter(make_store(), clock)
    decisions = [limiter.take("link", "203.0.113.9") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    refused = decisions[-1]
    assert refused.key == "link:203.0.113.9"
    assert refused.retry_after_seconds == pytest.approx(10.0)  # 6 per minute: one token every 10 s
    assert refused.retry_after_header == "10"
    clock.now += 9.9
    assert not limiter.take("link", "203.0.113.9").allowed
    clock.now += 0.2
    assert limiter.take("link", "203.0.113.9").allowed
    assert not limiter.take("link", "203.0.113.9").allowed


def test_the_bucket_refills_to_capacity_and_no_further(make_store: StoreFactory) -> None:
    clock = Clock()
    limiter = _limiter(make_store(), clock)
    for _ in range(3):
        limiter.take("link", "a")
    clock.now += 3600  # an hour later: full, never more than the burst
    assert [limiter.take("link", "a").allowed for _ in range(4)] == [True, True, True, False]


def test_keys_and_kinds_are_independent(make_store: StoreFactory) -> None:
    clock = Clock()
    limiter = _limiter(make_store(), clock)
    for _ in range(3):
        limiter.take("link", "a")
    assert not limiter.take("link", "a").allowed
    assert limiter.take("link", "b").allowed
    assert limiter.take("chat", "a").allowed, "chat:a is another bucket than link:a"


def test_a_clock_going_backwards_adds_no_tokens(make_store: StoreFactory) -> None:
    clock = Clock()
    limiter = _limiter(make_store(), clock)
    for _ in range(3):
        limiter.take("link", "a")
    clock.now -= 500
    assert not limiter.take("link", "a").allowed


def test_processes_sharing_the_database_share_one_limit(engine: Engine) -> None:
    clock = Clock()
    first = _limiter(DatabaseBuckets(engine), clock)
    second_engine = make_engine(engine.url.render_as_string(hide_password=False), **_connect_args(engine))
    try:
        second = _limiter(DatabaseBuckets(second_engine), clock)
        results = [(first if n % 2 else second).take("chat", "3401").allowed for n in range(7)]
        assert results == [True] * 5 + [False] * 2
    finally:
        second_engine.dispose()


def test_concurrent_requests_never_exceed_the_burst(engine: Engine) -> None:
    clock = Clock()
    limiter = _limiter(DatabaseBuckets(engine), clock)  # a frozen clock: nothing refills during the race
    allowed: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def hammer() -> None:
        start.wait()
        for _ in range(4):
            decision = limiter.take("chat", "race")
            with lock:
                allowed.append(decision.allowed)

    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 24
    assert sum(allowed) == LIMITS["chat"].capacity


def test_a_refusal_writes_nothing(engine: Engine) -> None:
    clock = Clock()
    limiter = _limiter(DatabaseBuckets(engine), clock)
    for _ in range(3):
        limiter.take("link", "x")
    before = _bucket(engine, "link:x")
    clock.now += 1
    assert not limiter.take("link", "x").allowed
    assert _bucket(engine, "link:x") == before


def test_long_keys_are_stored_as_a_digest(engine: Engine) -> None:
    limiter = _limiter(DatabaseBuckets(engine), Clock())
    subject = "x" * 500
    for _ in range(3):
        assert limiter.take("link", subject).allowed
    assert not limiter.take("link", subject).allowed
    assert _bucket(engine, ratelimits.bucket_key(f"link:{subject}")) is not None


def test_idle_buckets_are_pruned(engine: Engine) -> None:
    clock = Clock()
    store = DatabaseBuckets(engine)
    limiter = _limiter(store, clock)
    limiter.take("link", "old")
    clock.now += 25
    limiter.take("link", "recent")
    assert store.prune(LIMITS, now=clock.now + 10) == 1  # slowest refill: 3 tokens at 0.1/s = 30 s
    assert _bucket(engine, "link:old") is None
    assert _bucket(engine, "link:recent") is not None


def test_memory_buckets_forget_the_least_recently_used() -> None:
    clock = Clock()
    limiter = _limiter(MemoryBuckets(max_keys=2), clock)
    for _ in range(3):
        limiter.take("link", "a")
    limiter.take("link", "b")
    limiter.take("link", "c")  # "a" is forgotten: it starts full again
    assert limiter.take("link", "a").allowed


def test_unknown_kinds_and_impossible_costs_are_refused(engine: Engine) -> None:
    limiter = _limiter(MemoryBuckets(), Clock())
    with pytest.raises(KeyError, match="no rate limit"):
        limiter.take("upload", "x")
    with pytest.raises(ValueError, match="cost"), session_scope(engine) as session:
        ratelimits.take(session, "k", capacity=2, refill_per_second=1, now=0, cost=3)


def test_check_raises_too_many_requests_with_retry_after() -> None:
    limiter = _limiter(MemoryBuckets(), Clock())
    for _ in range(3):
        limiter.check("link", "ip")
    with pytest.raises(TooManyRequestsError) as refused:
        limiter.check("link", "ip")
    assert refused.value.retry_after_seconds == pytest.approx(10.0)
    assert refused.value.decision.key == "link:ip"


async def test_async_checks_work_with_the_database_store(engine: Engine) -> None:
    limiter = _limiter(DatabaseBuckets(engine), Clock())
    assert (await limiter.atake("link", "a")).allowed
    await limiter.acheck("link", "a")
    await limiter.acheck("link", "a")
    with pytest.raises(TooManyRequestsError):
        await limiter.acheck("link", "a")


async def test_a_limited_route_answers_429_with_retry_after() -> None:
    limiter = _limiter(MemoryBuckets(), Clock())

    async def sign_in(request: Request) -> Response:
        decision = limiter.take("link", client_ip(request.scope))
        if not decision.allowed:
            return too_many_requests_response(decision)
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/auth/portal", sign_in)])
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        codes = [(await client.get("/auth/portal")).status_code for _ in range(3)]
        refused = await client.get("/auth/portal")
    assert codes == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "10"
    assert refused.json()["retry_after_seconds"] == 10
    assert refused.json()["error"] == "too_many_requests"


def test_retry_after_is_rounded_up_and_at_least_one_second() -> None:
    decision = Decision(key="k", allowed=False, remaining=0, retry_after_seconds=0.01)
    assert decision.retry_after_header == "1"
    assert Decision(key="k", allowed=False, remaining=0, retry_after_seconds=2.2).retry_after_header == "3"


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("198.51.100.7", None, frozenset(), "198.51.100.7"),
        ("198.51.100.7", "1.2.3.4", frozenset(), "198.51.100.7"),  # an untrusted peer cannot pick its address
        ("10.0.0.2", "203.0.113.5", frozenset({"10.0.0.2"}), "203.0.113.5"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.5", frozenset({"10.0.0.2"}), "203.0.113.5"),  # the spoofed hop is ignored
        ("10.0.0.2", "203.0.113.5, 10.0.0.3", frozenset({"10.0.0.2", "10.0.0.3"}), "203.0.113.5"),
        ("10.0.0.2", None, frozenset({"10.0.0.2"}), "10.0.0.2"),
    ],
)
def test_client_ip_believes_forwarded_only_from_trusted_proxies(
    peer: str, forwarded: str | None, trusted: frozenset[str], expected: str
) -> None:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    assert client_ip({"client": (peer, 1234), "headers": headers}, trusted) == expected


def _bucket(engine: Engine, key: str) -> tuple[float, float] | None:
    with session_scope(engine) as session:
        row = session.get(RateLimitBucket, key)
        return None if row is None else (row.tokens, row.updated_at)


def _connect_args(engine: Engine) -> dict[str, object]:
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    return {"connect_args": {"options": f"-csearch_path={schema}"}}


# -- the edges of the decision (issue 14, item 8: mutation testing) ----------------------------------------------


def test_a_partly_refilled_bucket_says_how_long_until_the_next_whole_token() -> None:
    clock = Clock()
    limiter = _limiter(MemoryBuckets(), clock)
    for _ in range(3):
        limiter.take("link", "a")
    clock.now += 4  # 0.4 of a token back
    refused = limiter.take("link", "a")
    assert not refused.allowed
    assert refused.retry_after_seconds == pytest.approx(6.0)
    assert limiter.take("link", "a", cost=0.4).allowed  # exactly what is there may be spent


def test_after_the_clock_went_backwards_refill_counts_from_the_latest_time_seen() -> None:
    clock = Clock()
    limiter = _limiter(MemoryBuckets(), clock)
    for _ in range(3):
        limiter.take("link", "a")
    clock.now -= 500
    assert not limiter.take("link", "a").allowed
    clock.now += 505  # 5 s after the last real take: half a token, not a full bucket
    assert not limiter.take("link", "a").allowed


def test_memory_buckets_remember_up_to_max_keys() -> None:
    limiter = _limiter(MemoryBuckets(max_keys=2), Clock())
    for _ in range(3):
        limiter.take("link", "a")
    limiter.take("link", "b")
    assert not limiter.take("link", "a").allowed  # two keys fit: "a" is still remembered


def test_an_allowed_decision_waits_for_nothing() -> None:
    decision = _limiter(MemoryBuckets(), Clock()).take("link", "a")
    assert (decision.allowed, decision.retry_after_seconds, decision.retry_after_header) == (True, 0.0, "0")
    assert Decision(key="k", allowed=False, remaining=0, retry_after_seconds=0.0).retry_after_header == "1"


async def test_the_memory_store_is_asked_on_the_event_loop_itself() -> None:
    threads: list[str] = []

    class Recording(MemoryBuckets):
        def take(self, key: str, limit: RateLimit, now: float, cost: float) -> tuple[bool, float, float]:
            threads.append(threading.current_thread().name)
            return super().take(key, limit, now, cost)

    limiter = _limiter(Recording(), Clock())
    assert (await limiter.atake("link", "a")).allowed
    assert threads == [threading.main_thread().name]


@pytest.mark.parametrize(
    ("scope", "trusted", "expected"),
    [
        ({"headers": []}, frozenset(), "unknown"),
        (
            {"client": ("10.0.0.2", 1), "headers": [(b"x-forwarded-for", b"10.0.0.3")]},
            frozenset({"10.0.0.2", "10.0.0.3"}),
            "10.0.0.2",
        ),
        (
            {"client": ("10.0.0.2", 1), "headers": [(b"X-Forwarded-For", b"203.0.113.5")]},
            frozenset({"10.0.0.2"}),
            "203.0.113.5",
        ),
        (
            {"client": ("10.0.0.2", 1), "headers": [(b"x-real-ip", b"6.6.6.6")]},
            frozenset({"10.0.0.2"}),
            "10.0.0.2",
        ),
    ],
)
def test_client_ip_without_a_peer_or_a_usable_forwarded_hop(
    scope: dict[str, object], trusted: frozenset[str], expected: str
) -> None:
    assert client_ip(scope, trusted) == expected
