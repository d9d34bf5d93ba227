"""OAuth and Basic against the sandbox: token caching, expiry, refresh-once on 401, refused credentials."""

from __future__ import annotations

from typing import Any

import pytest

from icims.errors import AuthError
from tests.icims.conftest import ManualClock
from tests.support.icims_sandbox import SandboxHandle, running_sandbox


def test_token_is_fetched_once_and_reused(icims: SandboxHandle) -> None:
    client = icims.client()
    for _ in range(3):
        client.get_person(11)
    assert client.tokens_fetched == 1
    assert len(icims.requests("/oauth/token")) == 1


def test_client_fetches_a_new_token_when_its_own_clock_says_expired(tenant: dict[str, Any]) -> None:
    clock = ManualClock()
    with running_sandbox(tenant, token_expires_in=600) as icims:
        client = icims.client(clock=clock)
        client.get_person(11)
        clock.advance(599)  # inside the safety margin before expiry
        client.get_person(11)
        assert client.tokens_fetched == 2
        assert [r.status for r in icims.requests("/people/")] == [200, 200]  # no 401 was needed


def test_expired_token_is_refused_by_the_server_and_refreshed_once(tenant: dict[str, Any]) -> None:
    server_clock = ManualClock()
    with running_sandbox(tenant, token_expires_in=600, clock=server_clock) as icims:
        client = icims.client()
        client.get_person(11)
        server_clock.advance(601)
        assert client.get_person(12).firstname == "Ben"
        assert [r.status for r in icims.requests("/people/")] == [200, 401, 200]
        assert client.tokens_fetched == 2


def test_revoked_token_is_refreshed_once(icims: SandboxHandle) -> None:
    client = icims.client()
    client.get_person(11)
    icims.revoke_tokens()
    assert client.get_job(20).jobtitle == "Data Engineer"
    assert client.tokens_fetched == 2


def test_a_second_401_after_refreshing_is_an_auth_error(icims: SandboxHandle) -> None:
    client = icims.client()
    icims.set_faults(unauthorized_next=2)
    with pytest.raises(AuthError) as raised:
        client.get_person(11)
    assert raised.value.status == 401
    assert raised.value.code == 6
    assert client.tokens_fetched == 2
    assert len(icims.requests("/people/11")) == 2


def test_wrong_client_secret_is_refused_at_the_token_endpoint(icims: SandboxHandle) -> None:
    client = icims.client(secret="not-the-secret-at-all")
    with pytest.raises(AuthError, match="access_denied"):
        client.get_person(11)
    assert icims.requests("/people/") == []


def test_wrong_audience_is_refused(icims: SandboxHandle) -> None:
    client = icims.client(audience="https://api.icims.com/v2/")
    with pytest.raises(AuthError) as raised:
        client.get_person(11)
    assert raised.value.status == 403


def test_basic_auth_reads_profiles_without_tokens(icims: SandboxHandle) -> None:
    client = icims.client(auth="basic")
    assert client.get_person(11).lastname == "Lima"
    assert client.tokens_fetched == 0
    assert icims.requests("/oauth/token") == []


def test_wrong_basic_password_is_error_code_6_without_retrying(icims: SandboxHandle) -> None:
    client = icims.client(auth="basic", secret="wrong-password-123")
    with pytest.raises(AuthError) as raised:
        client.get_person(11)
    assert (raised.value.status, raised.value.code) == (401, 6)
    assert "Invalid Username or Password" in raised.value.message
    assert raised.value.transaction_id
    assert len(icims.requests("/people/11")) == 1


def test_token_endpoint_rejects_other_grant_types(icims: SandboxHandle) -> None:
    import httpx

    form = {"grant_type": "password", "client_id": icims.client_id, "audience": "https://api.icims.com/v1/"}
    response = httpx.post(f"{icims.base_url}/oauth/token", data=form)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    form = {"grant_type": "client_credentials", "client_id": icims.client_id, "client_secret": icims.client_secret}
    response = httpx.post(f"{icims.base_url}/oauth/token", data=form)
    assert response.status_code == 403  # no audience
