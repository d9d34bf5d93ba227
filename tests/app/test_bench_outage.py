"""How the outage benchmark reads its call log (the figures themselves are reported, never asserted)."""

from __future__ import annotations

from app.bench_outage import Call, _overshoots


def call(
    at: float,
    status: int = 200,
    *,
    worker: str = "w1",
    method: str = "GET",
    path: str = "/x",
    after: float | None = None,
) -> Call:
    return Call(at, worker, method, path, status, after)


def test_the_overshoot_is_how_late_the_next_call_came_after_the_retry_after_ran_out() -> None:
    calls = [
        call(0.0, 429, after=2.0),
        call(1.0, worker="w2"),  # before the Retry-After ran out: not the call that counts
        call(2.5, worker="w2"),  # the first call once it ran out: 0.5 s late
        call(3.0, 429, method="PATCH", path="/wf/1", after=1.0),
        call(4.2, method="PATCH", path="/wf/2"),  # the tenant's next call: 0.2 s late
        call(6.0, path="/wf/1"),  # the throttled write's own retry (its read-back first): 2 s after its Retry-After
    ]
    worst, worst_job = _overshoots(calls)
    assert round(worst, 6) == 0.5
    assert worst_job == 2.0


def test_a_resource_never_called_again_gives_no_own_retry_figure() -> None:
    assert _overshoots([call(0.0, 429, after=1.0), call(1.5, path="/y")]) == (0.5, None)
    assert _overshoots([call(0.0)]) == (0.0, None)
