"""The per-tenant budget of one worker: after iCIMS throttles (429) or stops answering, no further calls to that
tenant until the wait it asked for is over; the worker goes on with whatever else is due instead of sleeping.

A 429 closes the tenant for its ``Retry-After`` (or the quota's reset); an unreachable iCIMS closes it for a short
pause (``unreachable_pause_seconds``) so that a round with many due items makes one failing call, not one per
item (each of which may wait out a time-out). Work found while the tenant is closed is left due, untouched: it is
not a failure of that work. Times are the caller's clock (the worker's `now`), so tests can drive it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from icims.errors import RateLimited, Unavailable


@dataclass
class TenantGate:
    unreachable_pause_seconds: float = 5.0
    default_rate_limit_seconds: float = 5.0  # a 429 that did not say how long to wait
    _closed_until: dict[int, datetime] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def is_open(self, customer_id: int, now: datetime) -> bool:
        with self._lock:
            until = self._closed_until.get(customer_id)
        return until is None or until <= now

    def closed_until(self, customer_id: int) -> datetime | None:
        with self._lock:
            return self._closed_until.get(customer_id)

    def close(self, customer_id: int, until: datetime) -> None:
        with self._lock:
            current = self._closed_until.get(customer_id)
            if current is None or current < until:
                self._closed_until[customer_id] = until

    def after_failure(self, customer_id: int, exc: BaseException, now: datetime) -> bool:
        """Close the tenant if `exc` says iCIMS throttles or is unreachable; True when it did."""
        if isinstance(exc, RateLimited):
            wait = exc.reset_seconds if exc.reset_seconds is not None else self.default_rate_limit_seconds
        elif isinstance(exc, Unavailable):
            wait = self.unreachable_pause_seconds
        else:
            return False
        self.close(customer_id, now + timedelta(seconds=wait))
        return True
