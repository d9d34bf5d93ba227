"""Profile reads and writes against the sandbox over HTTP, and the typed errors iCIMS answers with."""

from __future__ import annotations

from typing import Any

import pytest

from icims.errors import AccessDenied, BadRequest, InvalidResponse, NotFound, RequiredField
from icims.models import CurrencyValue
from tests.support.icims_sandbox import SandboxHandle, running_sandbox


def test_typed_profiles_keep_custom_fields_and_raw_json(icims: SandboxHandle) -> None:
    client = icims.client()
    wf = client.get_workflow(30)
    assert (wf.person_id, wf.job_id, wf.status_id) == (11, 20, "C100")
    assert wf.custom["field80001"] == {"amount": 98000, "amountstring": "98,000.00", "currency": "CAD"}
    assert CurrencyValue.model_validate(wf.get("field80001")).currency == "CAD"
    job = client.get_job(20)
    assert job.joblocation is not None
    assert job.joblocation.companyid == 50
    assert job.recruiter is not None
    assert job.recruiter.id == 10
    assert job.get("field70001") == 90000
    company = client.get_company(50)
    assert company.addresses[0].addresscountry is not None
    assert company.addresses[0].addresscountry.abbrev == "CA"
    assert client.get_person(12).phones[0].phonenumber == "555-0100"


def test_empty_fields_are_absent_and_links_always_present(icims: SandboxHandle) -> None:
    client = icims.client()
    person = client.get_profile("people", 11)
    assert "field60001" not in person  # "" in the fixture: iCIMS omits empty fields
    assert person["links"][0]["rel"] == "self"
    assert person["links"][0]["url"].endswith("/people/11")
    workflow = client.get_profile("applicantworkflows", 30)
    assert "field80003" not in workflow
    assert [link["url"].rsplit("/", 2)[-2:] for link in workflow["links"]] == [
        ["applicantworkflows", "30"],
        ["jobs", "20"],
        ["people", "11"],
    ]


def test_fields_parameter_returns_only_those_fields(icims: SandboxHandle) -> None:
    client = icims.client()
    body = client.get_profile("applicantworkflows", 30, ["status", "field80002", "field99999"])
    assert set(body) == {"status", "field80002", "links"}
    typed = client.get_person(11, ["lastname"])
    assert typed.lastname == "Lima"
    assert typed.firstname is None


def test_hidden_fields_are_absent_and_unknown_keys_are_ignored(tenant: dict[str, Any]) -> None:
    with running_sandbox(tenant, hidden_fields={"people": ["email"]}, extra_keys=True) as icims:
        client = icims.client()
        raw = client.get_profile("people", 11)
        assert "email" not in raw
        assert "sandboxextra" in raw
        person = client.get_person(11)
        assert person.email is None
        assert person.firstname == "Ana"


def test_missing_profile_is_not_found(icims: SandboxHandle) -> None:
    with pytest.raises(NotFound) as raised:
        icims.client().get_job(999)
    assert (raised.value.status, raised.value.code, raised.value.message) == (404, 2, "Job not found.")


def test_denied_profile_is_access_denied_with_http_404(tenant: dict[str, Any]) -> None:
    with running_sandbox(tenant, denied={"people": [12]}) as icims:
        with pytest.raises(AccessDenied) as raised:
            icims.client().get_person(12)
        assert (raised.value.status, raised.value.code) == (404, 3)


def test_unexpected_shape_is_invalid_response(tenant: dict[str, Any]) -> None:
    tenant["applicantworkflows"]["31"]["status"] = ["not", "a", "node"]
    with running_sandbox(tenant) as icims, pytest.raises(InvalidResponse, match="status"):
        icims.client().get_workflow(31)


def test_patch_writes_fields_and_clears_with_null(icims: SandboxHandle) -> None:
    client = icims.client()
    client.update_profile("applicantworkflows", 30, {"field80002": "2030-05-01", "field80009": "Generated"})
    client.update_profile("applicantworkflows", 30, {"field80009": None})
    stored = icims.profile("applicantworkflows", 30)
    assert stored["field80002"] == "2030-05-01"
    assert "field80009" not in stored
    assert [(w.kind, w.fields) for w in icims.writes()] == [
        ("patch", ("field80002", "field80009")),
        ("patch", ("field80009",)),
    ]


def test_required_field_refuses_the_whole_patch(tenant: dict[str, Any]) -> None:
    with running_sandbox(tenant, required_fields={"applicantworkflows": ["field80003"]}) as icims:
        client = icims.client()
        with pytest.raises(RequiredField) as raised:
            client.update_profile("applicantworkflows", 30, {"field80002": "2030-06-01"})
        assert (raised.value.status, raised.value.code) == (400, 1)
        assert "field80003" in raised.value.message
        assert icims.profile("applicantworkflows", 30)["field80002"] == "2030-04-01"
        assert icims.writes() == []
        client.update_profile("applicantworkflows", 30, {"field80002": "2030-06-01", "field80003": "x"})
        assert icims.profile("applicantworkflows", 30)["field80002"] == "2030-06-01"


def test_status_change_stores_the_full_node_and_logs_one_write(icims: SandboxHandle) -> None:
    client = icims.client()
    client.set_workflow_status(30, "C200")
    assert client.get_workflow(30).status is not None
    assert client.get_workflow(30).status.value == "Offer - Ready"  # type: ignore[union-attr]
    writes = icims.writes()
    assert [(w.kind, w.detail["oldStatus"], w.detail["newStatus"]) for w in writes] == [("status", "C100", "C200")]


def test_unknown_status_is_a_bad_request(icims: SandboxHandle) -> None:
    with pytest.raises(BadRequest, match="C999"):
        icims.client().set_workflow_status(30, "C999")
    assert icims.writes() == []


def test_names_are_validated_before_anything_is_sent(icims: SandboxHandle) -> None:
    client = icims.client()
    with pytest.raises(ValueError, match="lowercase"):
        client.update_profile("applicantworkflows", 30, {"StartDate": "2030-01-01"})
    with pytest.raises(ValueError, match="positive integer"):
        client.get_profile("people", 0)
    with pytest.raises(ValueError, match="lowercase"):
        client.get_profile("../people", 1)
    assert icims.requests("/customers/") == []


def test_customer_root(icims: SandboxHandle) -> None:
    info = icims.client().get_customer()
    assert info["id"] == icims.customer_id
    assert info["name"] == "Heron Analytics"


def test_rate_limit_headers_are_exposed(icims: SandboxHandle) -> None:
    client = icims.client()
    client.get_person(11)
    client.get_person(12)
    status = client.rate_limit
    assert status is not None
    assert (status.limit, status.remaining) == (10000, 9998)
    assert status.reset_seconds is not None
    assert 0 < status.reset_seconds <= 86400
