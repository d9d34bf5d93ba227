"""Staff password sign-in under load: throttled per client address and globally before any password is checked,
and at most `security.login_concurrency` argon2 checks at a time (each takes tens of MiB and a core), so a flood of
sign-ins waits in line instead of starving every other route."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from app.ratelimit import Decision, RateLimiter

T = TypeVar("T")
CLIENT_KIND = "login"
GLOBAL_KIND = "login-global"
QUEUE_WAIT_SECONDS = 10.0


class LoginBusyError(Exception):
    """Too many password checks are waiting already."""


async def throttle(limiter: RateLimiter, client: str) -> Decision | None:
    """The refusal when this client, or everyone together, tried too often; None to go ahead."""
    for kind, subject in ((CLIENT_KIND, client), (GLOBAL_KIND, "all")):
        decision = await limiter.atake(kind, subject)
        if not decision.allowed:
            return decision
    return None


class PasswordGate:
    """Bounds concurrent password checks; one per event loop (tests run several loops in one process)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._semaphores: dict[int, asyncio.Semaphore] = {}
        self.running = 0
        self.peak = 0

    def _semaphore(self) -> asyncio.Semaphore:
        loop = id(asyncio.get_running_loop())
        if loop not in self._semaphores:
            self._semaphores[loop] = asyncio.Semaphore(self.limit)
        return self._semaphores[loop]

    async def run(self, check: Callable[[], T]) -> T:
        """`check()` in a worker thread once a slot is free; LoginBusyError after QUEUE_WAIT_SECONDS."""
        semaphore = self._semaphore()
        try:
            await asyncio.wait_for(semaphore.acquire(), QUEUE_WAIT_SECONDS)
        except TimeoutError as exc:
            raise LoginBusyError("too many sign-ins in progress") from exc
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            return await asyncio.to_thread(check)
        finally:
            self.running -= 1
            semaphore.release()
