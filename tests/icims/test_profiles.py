"""fetch_workflow_bundle over HTTP, and reading tenant field references from it."""

from __future__ import annotations

from typing import Any

import pytest

from icims.errors import InvalidResponse, NotFound
from icims.mapping import FieldRef
from icims.profiles import fetch_workflow_bundle, read_first, read_ref
from tests.support.icims_sandbox import SandboxHandle, running_sandbox


def ref(text: str) -> FieldRef:
    return FieldRef.parse(text)


def test_bundle_joins_workflow_person_job_and_location(icims: SandboxHandle) -> None:
    bundle = fetch_workflow_bundle(icims.client(), 30)
    assert (bundle.workflow_id, bundle.person.firstname, bundle.job.jobtitle) == (30, "Ana", "Data Engineer")
    assert bundle.company is not None
    assert bundle.company.name == "Heron Toronto"
    assert bundle.job_location is not None
    assert bundle.job_location.addresscity == "Toronto"
    assert bundle.problems == []


def test_read_ref_returns_raw_json_or_none(icims: SandboxHandle) -> None:
    bundle = fetch_workflow_bundle(icims.client(), 30)
    assert read_ref(bundle, ref("applicantworkflow.field80001"))["currency"] == "CAD"  # type: ignore[index]
    assert read_ref(bundle, ref("job.field70001")) == 90000
    assert read_ref(bundle, ref("person.startdate")) == "2030-03-02"
    assert read_ref(bundle, ref("joblocation.addressstate")) == {"id": "D41001999", "value": "Ontario", "abbrev": "ON"}
    assert read_ref(bundle, ref("job.recruiter"))["id"] == 10  # type: ignore[index]
    assert read_ref(bundle, ref("applicantworkflow.field80003")) is None  # null in the fixture: omitted
    assert read_ref(bundle, ref("person.field60001")) is None  # "" in the fixture: omitted
    assert read_ref(bundle, ref("job.field12345")) is None


def test_read_first_says_where_the_value_came_from(icims: SandboxHandle) -> None:
    bundle = fetch_workflow_bundle(icims.client(), 31)
    refs = [ref("applicantworkflow.field80099"), ref("applicantworkflow.field80001"), ref("job.jobtitle")]
    assert read_first(bundle, refs) == (72000, refs[1])
    assert read_first(bundle, [ref("person.field1"), ref("job.field2")]) == (None, None)


def test_unreadable_location_is_a_problem_not_a_failure(tenant: dict[str, Any]) -> None:
    with running_sandbox(tenant, denied={"companies": [50]}) as icims:
        bundle = fetch_workflow_bundle(icims.client(), 30)
    assert bundle.company is None
    assert bundle.job_location is None
    assert "company 50" in bundle.problems[0]
    assert read_ref(bundle, ref("joblocation.addresscity")) is None


def test_location_entry_missing_on_the_company(tenant: dict[str, Any]) -> None:
    tenant["jobs"]["20"]["joblocation"]["id"] = 1
    with running_sandbox(tenant) as icims:
        bundle = fetch_workflow_bundle(icims.client(), 30)
    assert bundle.company is not None
    assert bundle.job_location is None
    assert "no address entry 1" in bundle.problems[0]


def test_job_without_location(tenant: dict[str, Any]) -> None:
    del tenant["jobs"]["21"]["joblocation"]
    with running_sandbox(tenant) as icims:
        bundle = fetch_workflow_bundle(icims.client(), 31)
    assert (bundle.company, bundle.job_location, bundle.problems) == (None, None, [])


def test_hidden_associated_profile_is_a_clear_error(tenant: dict[str, Any]) -> None:
    hidden = {"applicantworkflows": ["associatedprofile"]}
    with (
        running_sandbox(tenant, hidden_fields=hidden) as icims,
        pytest.raises(InvalidResponse, match="associatedprofile"),
    ):
        fetch_workflow_bundle(icims.client(), 30)


def test_missing_workflow_is_not_found(icims: SandboxHandle) -> None:
    with pytest.raises(NotFound):
        fetch_workflow_bundle(icims.client(), 404)


def test_every_demo_workflow_bundles(demo_icims: SandboxHandle) -> None:
    client = demo_icims.client()
    for workflow_id in demo_icims.sandbox.store.profiles["applicantworkflows"]:
        bundle = fetch_workflow_bundle(client, workflow_id)
        assert bundle.job_location is not None, bundle.problems
        assert bundle.person.lastname
