"""The sandbox server itself: quota, admin endpoints, event emitter, persistence, fixture validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from icims.sandbox import FixtureError, Sandbox, SandboxOptions
from icims.webhooks import duplicate_key, parse_status_change, verify_basic, verify_hmac
from tests.support.icims_sandbox import SandboxHandle, running_event_receiver, running_sandbox

HMAC_KEY = "sandbox-event-signing-key-for-tests"


def api(icims: SandboxHandle, path: str) -> str:
    return f"{icims.base_url}/customers/{icims.customer_id}{path}"


def test_quota_exhaustion_answers_429_with_icims_headers(tenant: dict[str, Any]) -> None:
    with running_sandbox(tenant, daily_quota=2) as icims:
        auth = {"Authorization": icims.authorization()}
        first = httpx.get(api(icims, "/people/11"), headers=auth)
        assert (first.headers["x-ratelimit-limit"], first.headers["x-ratelimit-remaining"]) == ("2", "1")
        assert first.headers["x-transaction"]
        httpx.get(api(icims, "/people/11"), headers=auth)
        refused = httpx.get(api(icims, "/people/11"), headers=auth)
        assert refused.status_code == 429
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert 0 < int(refused.headers["x-ratelimit-reset"]) <= 86400
        assert refused.json()["errors"][0]["errorMessage"].startswith("The daily")
        icims.set_quota(used=0)
        assert httpx.get(api(icims, "/people/11"), headers=auth).status_code == 200


def test_admin_endpoints_need_credentials_and_control_faults(icims: SandboxHandle) -> None:
    assert httpx.get(f"{icims.base_url}/_sandbox/state").status_code == 401
    auth = {"Authorization": icims.authorization()}
    set_faults = httpx.post(f"{icims.base_url}/_sandbox/faults", json={"fail_next": 1}, headers=auth)
    assert set_faults.json()["fail_next"] == 1
    assert httpx.get(api(icims, "/people/11"), headers=auth).status_code == 503
    assert httpx.get(api(icims, "/people/11"), headers=auth).status_code == 200
    bad = httpx.post(f"{icims.base_url}/_sandbox/faults", json={"explode": True}, headers=auth)
    assert bad.status_code == 400
    state = httpx.get(f"{icims.base_url}/_sandbox/state", headers=auth).json()
    assert state["profiles"]["people"] == 3
    assert state["quota"]["remaining"] == 10000 - 1  # the injected 503 never reached the quota


def test_unknown_paths_and_other_customers_answer_icims_errors(icims: SandboxHandle) -> None:
    auth = {"Authorization": icims.authorization()}
    missing = httpx.get(f"{icims.base_url}/customers/{icims.customer_id}/people/11/nothing/here", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["errorCode"] == 2
    other = httpx.get(f"{icims.base_url}/customers/1/people/11", headers=auth)
    assert other.status_code == 404
    assert other.json()["errors"][0]["errorCode"] == 3


def test_uppercase_field_names_are_ignored_with_a_warning(icims: SandboxHandle) -> None:
    auth = {"Authorization": icims.authorization()}
    response = httpx.patch(api(icims, "/people/11"), json={"StartDate": "2030-01-01", "middlename": "Q"}, headers=auth)
    assert response.status_code == 204
    assert response.headers["x-warning"] == "4:StartDate:Field name must be all lowercase."
    stored = icims.profile("people", 11)
    assert stored["middlename"] == "Q"
    assert "StartDate" not in stored


def test_search_by_get_with_search_json(icims: SandboxHandle) -> None:
    query = json.dumps({"filters": [{"name": "person.lastname", "value": ["okoro"], "operator": "="}]})
    response = httpx.get(
        api(icims, "/search/people"), params={"searchJson": query}, headers={"Authorization": icims.authorization()}
    )
    assert response.json() == {"searchResults": [{"id": 12, "self": api(icims, "/people/12")}]}


def test_status_change_emits_a_signed_gzip_event(tenant: dict[str, Any]) -> None:
    with running_event_receiver() as receiver:
        events = {"url": receiver.url, "auth": "hmac", "hmac_user": "icims-events", "hmac_secret": SecretStr(HMAC_KEY)}
        with running_sandbox(tenant, events=events) as icims:
            icims.client().set_workflow_status(30, "C200")
            (got,) = receiver.wait_for(1)
            deliveries = icims.wait_for_deliveries(1)
        assert deliveries[0].ok
    assert got.headers["content-encoding"] == "gzip"
    assert got.headers["user-agent"].startswith("Apache-HttpClient")
    verify_hmac(
        method="POST",
        path=got.path,
        query=got.query,
        headers=got.headers,
        body=got.body,
        user="icims-events",
        secret=HMAC_KEY,
        max_skew_seconds=60,
    )
    parsed = parse_status_change(got.body, got.headers)
    assert (parsed.customer_id, parsed.system_id, parsed.job_id, parsed.person_id) == (4321, 30, 20, 11)
    assert (parsed.old_status, parsed.new_status, parsed.user_id) == ("100", "200", 10)  # numeric, as real payloads
    assert 'rel="applicantWorkflow"' in got.headers["link"]
    assert got.headers["link"].endswith(",")


def test_duplicate_deliveries_share_a_duplicate_key(tenant: dict[str, Any]) -> None:
    with running_event_receiver() as receiver:
        events = {
            "url": receiver.url,
            "auth": "basic",
            "username": "icims",
            "password": SecretStr("pw-for-events-1"),
            "copies": 2,
            "status_form": "id",
        }
        with running_sandbox(tenant, events=events) as icims:
            icims.move(31, "C200", user_id=10)
            received = receiver.wait_for(2)
    for item in received:
        verify_basic(item.headers, username="icims", password="pw-for-events-1")
    keys = {duplicate_key(parse_status_change(item.body, item.headers)) for item in received}
    assert len(received) == 2
    assert len(keys) == 1
    assert parse_status_change(received[0].body, received[0].headers).new_status == "C200"


def test_admin_move_over_http_fires_the_event_and_is_not_an_api_write(tenant: dict[str, Any]) -> None:
    with running_event_receiver() as receiver, running_sandbox(tenant) as icims:
        auth = {"Authorization": icims.authorization()}
        httpx.post(f"{icims.base_url}/_sandbox/events", json={"url": receiver.url}, headers=auth).raise_for_status()
        moved = httpx.post(f"{icims.base_url}/_sandbox/move", json={"workflowId": 30, "status": "C200"}, headers=auth)
        assert moved.json()["newStatus"] == "C200"
        assert moved.json()["changed"] is True
        assert len(receiver.wait_for(1)) == 1
        again = httpx.post(f"{icims.base_url}/_sandbox/move", json={"workflowId": 30, "status": "C200"}, headers=auth)
        assert again.json()["changed"] is False
        assert icims.writes() == []
        assert len(icims.writes(source="admin")) == 2
        bad = httpx.post(f"{icims.base_url}/_sandbox/move", json={"workflowId": 30}, headers=auth)
        assert bad.status_code == 400


def test_failed_deliveries_are_recorded(tenant: dict[str, Any]) -> None:
    with running_event_receiver() as receiver:
        receiver.status_code = 500
        with running_sandbox(tenant, events={"url": receiver.url}) as icims:
            icims.move(30, "C200")
            (delivery,) = icims.wait_for_deliveries(1)
    assert delivery.status_code == 500
    assert not delivery.ok


def test_persisted_writes_and_files_survive_a_restart(tmp_path: Path, tenant: dict[str, Any]) -> None:
    fixture = tmp_path / "tenant.json"
    fixture.write_text(json.dumps(tenant))
    with running_sandbox(fixture, persist=True) as icims:
        client = icims.client()
        client.set_workflow_status(30, "C300")
        client.upload_file("applicantworkflows", 30, "field80010", filename="v1.pdf", content=b"%PDF-1.4 x")
    with running_sandbox(fixture) as icims:
        client = icims.client()
        assert client.get_workflow(30).status_id == "C300"
        assert client.download_file("applicantworkflows", 30, "field80010").content == b"%PDF-1.4 x"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ({"people": {}}, "customerId"),
        ({"customerId": 1, "people": {"abc": {}}}, "numeric id"),
        ({"customerId": 1, "people": []}, "map ids"),
        ({"customerId": 1, "statuses": ["C1"]}, "statuses"),
        ({"customerId": 1, "files": {"people/1/resume": {"filename": "x"}}}, "not a valid stored file"),
    ],
)
def test_bad_fixtures_are_refused_clearly(data: dict[str, Any], why: str) -> None:
    options = SandboxOptions(client_id="c", client_secret=SecretStr("s"))
    with pytest.raises(FixtureError, match=why):
        Sandbox(data, options)


def test_sandbox_needs_credentials() -> None:
    with pytest.raises(ValidationError, match="OAuth"):
        SandboxOptions()
