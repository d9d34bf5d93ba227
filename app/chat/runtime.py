"""The process-wide objects the Chainlit handlers use, set once by `app.web.create_app` (or a test)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from app.config import Settings
from app.pipeline import AnswerPipeline
from app.ratelimit import DEFAULT_LIMITS, RateLimiter


@dataclass(frozen=True)
class ChatRuntime:
    settings: Settings
    db: Engine
    pipeline: AnswerPipeline
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(DEFAULT_LIMITS))
    wake_worker: Callable[[], None] | None = None  # `serve`'s workers: deliver what a chat action queued now

    def wake(self) -> None:
        if self.wake_worker is not None:
            self.wake_worker()


_current: ChatRuntime | None = None


def configure(runtime: ChatRuntime) -> None:
    global _current
    _current = runtime


def current() -> ChatRuntime:
    if _current is None:
        raise RuntimeError("the chat runtime is not configured: start the app with app.web.create_app(settings)")
    return _current
