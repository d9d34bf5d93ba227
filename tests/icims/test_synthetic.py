"""Synthetic candidates: N more offer-ready workflows cloned from a fixture, for any tenant's fixture and mapping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from app.config import DEMO_CONFIG, load_settings
from icims.mapping import TenantMapping
from icims.profiles import fetch_workflow_bundle, read_first
from icims.sandbox import FixtureError, add_offer_ready_candidates
from icims.sandbox.synthetic import bundle_of, offer_ready_templates
from icims.search import where
from tests.app.chat import other_tenant
from tests.factories import fixture_data
from tests.support.icims_sandbox import running_sandbox

TODAY = date(2031, 5, 20)  # far from the fixtures' own dates: every clone date must have moved


def demo_case() -> tuple[dict[str, Any], TenantMapping]:
    settings = load_settings(DEMO_CONFIG)
    return fixture_data(settings.sandbox.fixture), settings.tenant


def other_tenant_case() -> tuple[dict[str, Any], TenantMapping]:
    mapping = TenantMapping(offer_ready_statuses=["S100"], terms=other_tenant.TERMS)  # as its config file says
    return other_tenant.fixture(), mapping


CASES = pytest.mark.parametrize("case", [demo_case, other_tenant_case], ids=["demo", "other-tenant"])


def all_ids(fixture: dict[str, Any]) -> set[tuple[str, int]]:
    return {(kind, int(key)) for kind in ("people", "jobs", "companies", "applicantworkflows") for key in fixture[kind]}


@CASES
def test_clones_get_fresh_ids_that_collide_with_nothing(case: Any) -> None:
    fixture, mapping = case()
    before = all_ids(fixture)
    made = add_offer_ready_candidates(fixture, mapping, 60, today=TODAY)

    new_ids = made.workflow_ids + made.person_ids
    assert len(set(new_ids)) == len(new_ids) == 120
    highest = max(i for _, i in before)
    assert min(new_ids) > highest, "above every id of every profile type, so no GET by id can mean two things"
    assert all_ids(made.fixture) == before | {("applicantworkflows", w) for w in made.workflow_ids} | {
        ("people", p) for p in made.person_ids
    }
    assert all_ids(fixture) == before, "the caller's fixture is left as it was"


@CASES
def test_every_clone_reads_like_its_template_through_the_mapping(case: Any) -> None:
    fixture, mapping = case()
    templates = offer_ready_templates(fixture, mapping)
    made = add_offer_ready_candidates(fixture, mapping, 2 * len(templates) + 1, today=TODAY)

    assert templates, "the fixture has offer-ready workflows"
    for n, (workflow_id, person_id) in enumerate(zip(made.workflow_ids, made.person_ids, strict=True)):
        clone = bundle_of(made.fixture, workflow_id)
        template = bundle_of(fixture, templates[n % len(templates)])
        assert clone is not None
        assert template is not None
        assert mapping.is_offer_ready(clone.workflow.status_id)
        assert clone.person.firstname != template.person.firstname
        assert clone.workflow.person_id == person_id
        assert clone.workflow.job_id == template.workflow.job_id
        for term, refs in mapping.terms.items():
            value, ref = read_first(clone, refs)
            expected, expected_ref = read_first(template, refs)
            assert ref == expected_ref, f"{term} of clone {workflow_id} read from another field"
            if not _is_date(expected):
                assert value == expected, f"{term} of clone {workflow_id}"


@CASES
def test_clone_dates_move_with_today_and_keep_their_distances(case: Any) -> None:
    fixture, mapping = case()
    template_id = offer_ready_templates(fixture, mapping)[0]
    made = add_offer_ready_candidates(fixture, mapping, 1, today=TODAY, lead_days=10)

    template = fixture["applicantworkflows"][str(template_id)]
    clone = made.fixture["applicantworkflows"][str(made.workflow_ids[0])]
    dated = sorted((date.fromisoformat(v), k) for k, v in template.items() if _is_date(v))
    assert len(dated) >= 2, "the fixture's offer-ready workflows carry dates"
    moved = {k: date.fromisoformat(clone[k]) for _, k in dated}
    assert moved[dated[0][1]] == TODAY + timedelta(days=10), "the earliest date lands lead_days after today"
    for when, field in dated:
        assert moved[field] - moved[dated[0][1]] == when - dated[0][0], f"{field} keeps its distance"


@CASES
def test_candidates_get_distinct_names_and_emails_unlike_anyone_in_the_fixture(case: Any) -> None:
    fixture, mapping = case()
    existing = {(p["firstname"], p["lastname"]) for p in fixture["people"].values()}
    made = add_offer_ready_candidates(fixture, mapping, 700, today=TODAY)  # more than the name lists' pairs

    people = [made.fixture["people"][str(p)] for p in made.person_ids]
    names = [(p["firstname"], p["lastname"]) for p in people]
    assert len(set(names)) == len(names) == 700
    assert not set(names) & existing
    assert len({p["email"] for p in people}) == 700
    for workflow_id, (first, last) in zip(made.workflow_ids, names, strict=True):
        link = made.fixture["applicantworkflows"][str(workflow_id)]["associatedprofile"]
        assert link["value"] == f"{first} {last}"
    ours = {row["entry"] for p in fixture["people"].values() for row in p.get("phones", [])}
    entries = [row["entry"] for p in people for row in p.get("phones", [])]
    assert entries
    assert len(set(entries)) == len(entries)
    assert not set(entries) & ours, "collection rows of the clones get their own entry ids"


@CASES
def test_parked_fleet_has_nothing_offer_ready(case: Any) -> None:
    fixture, mapping = case()
    made = add_offer_ready_candidates(fixture, mapping, 5, today=TODAY, parked=True)

    statuses = {w["status"]["id"] for w in made.fixture["applicantworkflows"].values()}
    assert made.parked_status is not None
    assert made.parked_status in fixture["statuses"]
    assert not any(mapping.is_offer_ready(s) for s in statuses)
    assert mapping.is_offer_ready(made.ready_status)


def test_usable_chooses_the_templates() -> None:
    fixture, mapping = other_tenant_case()
    with pytest.raises(FixtureError, match="no offer-ready"):
        add_offer_ready_candidates(fixture, mapping, 3, today=TODAY, usable=lambda bundle: False)
    fixture["applicantworkflows"][str(other_tenant.NOT_READY)]["status"] = {"id": "S100", "value": "Ready"}
    chosen = offer_ready_templates(fixture, mapping, usable=lambda b: b.workflow_id == other_tenant.NOT_READY)
    assert chosen == [other_tenant.NOT_READY]


def test_a_sandbox_serves_the_clones_as_a_client_fetches_them() -> None:
    fixture, mapping = other_tenant_case()
    made = add_offer_ready_candidates(fixture, mapping, 12, today=TODAY)

    with running_sandbox(made.fixture) as icims:
        client = icims.client()
        found = set(client.search_ids("applicantworkflows", [where("applicantworkflow.status", "S100")]))
        fetched = fetch_workflow_bundle(client, made.workflow_ids[3])
    assert set(made.workflow_ids) <= found
    built = bundle_of(made.fixture, made.workflow_ids[3])
    assert built is not None
    for refs in mapping.terms.values():
        assert read_first(fetched, refs) == read_first(built, refs)


def _is_date(value: object) -> bool:
    try:
        return isinstance(value, str) and len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False
