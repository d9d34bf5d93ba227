"""Retries with back-off on 429, 5xx and time-outs; the daily quota; what is never retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from icims.errors import RateLimited, ServerError, Unavailable
from tests.support.icims_sandbox import SandboxHandle, running_sandbox


def _warm(icims: SandboxHandle, **connection: Any) -> Any:
    client = icims.client(**connection)
    client.get_person(11)  # the token is fetched; the faults below hit API calls only
    icims.sleeps.calls.clear()
    return client


def test_5xx_is_retried_with_growing_backoff_until_it_succeeds(icims: SandboxHandle) -> None:
    client = _warm(icims)
    icims.set_faults(fail_next=3, path_contains="/jobs/")
    assert client.get_job(20).jobtitle == "Data Engineer"
    assert [r.status for r in icims.requests("/jobs/20")] == [503, 503, 503, 200]
    waits = icims.sleeps.calls
    assert len(waits) == 3
    base = client.connection.backoff_base_seconds
    for attempt, wait in enumerate(waits):  # equal jitter: between half and all of base * 2**attempt
        assert base * 2**attempt / 2 <= wait <= base * 2**attempt


def test_5xx_beyond_the_retry_budget_is_a_server_error(icims: SandboxHandle) -> None:
    client = _warm(icims)
    icims.set_faults(fail_next=50, error_status=500, path_contains="/jobs/")
    with pytest.raises(ServerError) as raised:
        client.get_job(20)
    assert (raised.value.status, raised.value.code) == (500, 0)
    assert len(icims.requests("/jobs/20")) == client.connection.max_retries + 1


def test_429_burst_waits_at_least_retry_after(icims: SandboxHandle) -> None:
    client = _warm(icims)
    icims.set_faults(throttle_next=2, throttle_retry_after=2)
    assert client.get_person(12).lastname == "Okoro"
    assert [r.status for r in icims.requests("/people/12")] == [429, 429, 200]
    assert len(icims.sleeps.calls) == 2
    assert all(wait >= 2 for wait in icims.sleeps.calls)


def test_a_client_told_not_to_wait_raises_the_429_with_its_retry_after_at_once(icims: SandboxHandle) -> None:
    client = _warm(icims, rate_limit_wait_seconds=0)
    icims.set_faults(throttle_next=1, throttle_retry_after=3)
    with pytest.raises(RateLimited) as throttled:
        client.get_person(12)
    assert throttled.value.reset_seconds == 3
    assert icims.sleeps.calls == []  # the caller reschedules; the client sleeps through nothing
    assert [r.status for r in icims.requests("/people/12")] == [429]


def test_read_timeout_is_retried(icims: SandboxHandle) -> None:
    client = icims.client(timeout_seconds=0.5)
    client.get_person(11)
    icims.set_faults(hang_next=1, hang_seconds=3, path_contains="/people/12")
    assert client.get_person(12).firstname == "Ben"
    assert len(icims.sleeps.calls) == 1


def test_persistent_timeouts_become_unavailable(icims: SandboxHandle) -> None:
    client = icims.client(timeout_seconds=0.3, max_retries=1)
    client.get_person(11)
    icims.set_faults(hang_next=2, hang_seconds=2, path_contains="/people/12")
    with pytest.raises(Unavailable, match="Timeout"):
        client.get_person(12)


def test_connection_refused_is_retried_then_unavailable() -> None:
    import socket

    from icims.client import ICIMSClient
    from icims.config import ICIMSConnection

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    conn = ICIMSConnection(customer_id=1, auth="basic", username="u", max_retries=2, backoff_base_seconds=0.01)
    with (
        ICIMSClient(conn, base_url=f"http://127.0.0.1:{port}", secret="pw-unused", sleep=waits.append) as client,
        pytest.raises(Unavailable, match="ConnectError"),
    ):
        client.get_person(1)
    assert len(waits) == 2


def test_error_rate_one_fails_every_call(icims: SandboxHandle) -> None:
    client = _warm(icims)
    icims.set_faults(error_rate=1.0, seed=7)
    with pytest.raises(ServerError):
        client.get_person(11)
    assert len(icims.requests("/people/11")) == 1 + 1 + client.connection.max_retries


def test_latency_beyond_the_client_timeout_is_unavailable(icims: SandboxHandle) -> None:
    client = icims.client(timeout_seconds=0.3, max_retries=0)
    client.get_person(11)
    icims.set_faults(latency_seconds=1.5, path_contains="/jobs/")
    with pytest.raises(Unavailable):
        client.get_job(20)
    icims.clear_faults()
    assert client.get_job(20).jobtitle == "Data Engineer"


def test_hard_outage_with_a_non_json_page_is_a_server_error(icims: SandboxHandle) -> None:
    client = _warm(icims)
    icims.set_faults(outage=True)
    with pytest.raises(ServerError) as raised:
        client.get_person(11)
    assert raised.value.status == 503
    icims.clear_faults()
    assert client.get_person(11).firstname == "Ana"


def test_a_note_is_not_retried_after_a_500_so_it_is_never_written_twice(icims: SandboxHandle) -> None:
    client = _warm(icims)
    icims.set_faults(fail_next=1, error_status=500, methods=["POST"])
    with pytest.raises(ServerError):
        client.add_note("applicantworkflows", 30, "Offer letter v1 uploaded")
    assert len(icims.requests("/fields/notes", method="POST")) == 1
    icims.set_faults(fail_next=1, error_status=503, methods=["POST"])  # 503: not processed, safe to retry
    entry = client.add_note("applicantworkflows", 30, "Offer letter v1 uploaded")
    assert [w.detail["entry"] for w in icims.writes()] == [entry]
    assert icims.profile("applicantworkflows", 30)["notes"] == [{"entry": entry, "note": "Offer letter v1 uploaded"}]


def test_exhausted_quota_answers_429_and_the_client_stops_asking(tenant: dict[str, Any]) -> None:
    with running_sandbox(tenant, daily_quota=3) as icims:
        client = icims.client()
        client.get_person(11)
        client.get_person(12)
        client.get_job(20)
        assert client.rate_limit is not None
        assert client.rate_limit.remaining == 0
        with pytest.raises(RateLimited) as raised:
            client.get_job(21)
        assert raised.value.reset_seconds is not None
        assert raised.value.reset_seconds > 30
        assert icims.requests("/jobs/21") == []  # refused locally: the last answer said 0 remaining
        fresh = icims.client()
        with pytest.raises(RateLimited) as from_server:
            fresh.get_job(21)
        assert from_server.value.status == 429
        assert [r.status for r in icims.requests("/jobs/21")] == [429]


def test_client_waits_for_a_quota_reset_that_is_close(tenant: dict[str, Any]) -> None:
    moment = [datetime(2030, 1, 1, 23, 59, 50, tzinfo=UTC)]

    def sleep_on_the_sandbox_clock(seconds: float) -> None:
        moment[0] += timedelta(seconds=seconds)

    with running_sandbox(tenant, daily_quota=1, now=lambda: moment[0]) as icims:
        client = icims.client(sleep=sleep_on_the_sandbox_clock)
        client.get_person(11)
        assert client.rate_limit is not None
        assert client.rate_limit.remaining == 0
        assert client.get_person(12).lastname == "Okoro"  # waited ~10 s for midnight UTC
        assert moment[0].date().isoformat() == "2030-01-02"
