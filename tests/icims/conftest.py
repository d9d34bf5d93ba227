"""Fixtures: a running sandbox over a small factory-built tenant, and one over the demo fixture."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.icims.factories import small_tenant
from tests.support.icims_sandbox import DEMO_FIXTURE, SandboxHandle, running_sandbox


@pytest.fixture
def tenant() -> dict[str, Any]:
    return small_tenant()


@pytest.fixture
def icims(tenant: dict[str, Any]) -> Iterator[SandboxHandle]:
    with running_sandbox(tenant) as handle:
        yield handle


@pytest.fixture
def demo_icims() -> Iterator[SandboxHandle]:
    with running_sandbox(DEMO_FIXTURE) as handle:
        yield handle


class ManualClock:
    """A monotonic clock tests move by hand (token expiry without waiting)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
