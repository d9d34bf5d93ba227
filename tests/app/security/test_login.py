"""Staff sign-in under load (`app.security.login`): the per-client and global throttle, and the bounded argon2 gate."""

from __future__ import annotations

import asyncio
import threading

import pytest

from app.ratelimit import RateLimit, RateLimiter
from app.security import login
from app.security.login import LoginBusyError, PasswordGate, throttle

LIMITS = {"login": RateLimit(capacity=2, per_minute=1), "login-global": RateLimit(capacity=3, per_minute=1)}


class Clock:
    def __call__(self) -> float:
        return 1_800_000_000.0


def _limiter() -> RateLimiter:
    return RateLimiter(LIMITS, clock=Clock())


async def test_a_client_goes_ahead_until_its_own_limit_then_gets_its_refusal() -> None:
    limiter = _limiter()
    assert await throttle(limiter, "203.0.113.9") is None
    assert await throttle(limiter, "203.0.113.9") is None
    refusal = await throttle(limiter, "203.0.113.9")
    assert refusal is not None
    assert refusal.key == "login:203.0.113.9"
    assert not refusal.allowed


async def test_a_client_refused_for_itself_uses_up_nothing_of_the_global_limit() -> None:
    limiter = _limiter()
    for _ in range(4):
        await throttle(limiter, "203.0.113.9")  # two allowed, two refused per client
    assert await throttle(limiter, "198.51.100.7") is None  # the third global token is still there
    refusal = await throttle(limiter, "192.0.2.1")
    assert refusal is not None
    assert refusal.key == "login-global:all"


async def test_many_clients_together_are_refused_by_the_global_limit() -> None:
    limiter = _limiter()
    answers = [await throttle(limiter, f"192.0.2.{n}") for n in range(5)]
    assert answers[:3] == [None, None, None]
    assert [a.key if a else None for a in answers[3:]] == ["login-global:all", "login-global:all"]


async def test_the_gate_returns_the_checks_answer_and_frees_its_slot() -> None:
    gate = PasswordGate(1)
    assert await gate.run(lambda: "user-7") == "user-7"
    assert await gate.run(lambda: "user-8") == "user-8"  # the one slot was released
    assert (gate.running, gate.peak) == (0, 1)


async def test_the_gate_frees_its_slot_when_the_check_raises() -> None:
    gate = PasswordGate(1)

    def broken() -> str:
        raise ValueError("argon2 failed")

    with pytest.raises(ValueError, match="argon2 failed"):
        await gate.run(broken)
    assert gate.running == 0
    assert await gate.run(lambda: "after") == "after"


async def test_the_gate_runs_at_most_its_limit_of_checks_at_once() -> None:
    gate = PasswordGate(2)
    lock = threading.Lock()
    inside: list[int] = []
    most = [0]

    def check() -> int:
        with lock:
            inside.append(1)
            most[0] = max(most[0], len(inside))
        threading.Event().wait(0.05)
        with lock:
            inside.pop()
        return 1

    answers = await asyncio.gather(*(gate.run(check) for _ in range(6)))
    assert answers == [1] * 6
    assert most[0] == 2
    assert gate.peak == 2
    assert gate.running == 0


async def test_the_peak_is_the_most_checks_seen_at_once_not_the_last() -> None:
    gate = PasswordGate(3)
    release = threading.Event()
    slow = [asyncio.ensure_future(gate.run(release.wait)) for _ in range(3)]
    while gate.running < 3:
        await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(*slow)
    await gate.run(lambda: None)
    assert gate.peak == 3


async def test_a_check_waiting_too_long_for_a_slot_is_refused_as_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(login, "QUEUE_WAIT_SECONDS", 0.05)
    gate = PasswordGate(1)
    release = threading.Event()
    holder = asyncio.ensure_future(gate.run(release.wait))
    while gate.running < 1:
        await asyncio.sleep(0.01)
    with pytest.raises(LoginBusyError, match="too many sign-ins"):
        await gate.run(lambda: None)
    assert gate.running == 1  # the refused check took no slot
    release.set()
    await holder
    assert gate.running == 0


def test_one_gate_serves_several_event_loops() -> None:
    gate = PasswordGate(1)
    assert asyncio.run(gate.run(lambda: 1)) == 1
    assert asyncio.run(gate.run(lambda: 2)) == 2  # a semaphore bound to the first loop would fail here
    assert len(gate._semaphores) == 2


def test_one_event_loop_keeps_its_one_semaphore() -> None:
    gate = PasswordGate(1)

    async def twice() -> None:
        await gate.run(lambda: None)
        await gate.run(lambda: None)

    asyncio.run(twice())
    assert len(gate._semaphores) == 1
