"""Synthetic candidates: a fixture with N more applicant workflows at the tenant's offer-ready status.

    more = add_offer_ready_candidates(fixture, settings.tenant, 50, today=date.today())
    Path("fixture.json").write_text(json.dumps(more.fixture))      # then serve it like any other fixture

Nothing is invented: every offer-ready workflow of the fixture is a template (optionally only those `usable`
accepts), cloned round-robin. Each clone gets its own candidate, a copy of the template's person under a fresh
id, name and e-mail, and applies to the template's job, as many applicants apply to one requisition. Ids are
allocated above every id of every profile type in the fixture, so clones never collide with its data. The
clone's dates move with today: the earliest date on the workflow lands `lead_days` after today and the others
keep their distance from it, so a fixture cloned next year still holds future start dates and deadlines.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from icims.mapping import TenantMapping
from icims.models import ApplicantWorkflow, Company, Job, Person
from icims.profiles import WorkflowBundle
from icims.sandbox.store import RESERVED_KEYS, FixtureError

Usable = Callable[[WorkflowBundle], bool]
FIRST_NAMES = (
    "Amara", "Bastian", "Chiara", "Dmitri", "Esme", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Keira", "Luca",
    "Mina", "Nikhil", "Oona", "Pavel", "Quinn", "Rosa", "Soren", "Talia", "Umar", "Vera", "Wen", "Yara",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Brandt", "Castell", "Delacroix", "Eklund", "Fontaine", "Garza", "Halloran", "Iwasaki", "Jaramillo",
    "Kowalczyk", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero", "Rasmussen", "Sato",
    "Takahashi", "Ulrich", "Varga", "Whitfield", "Zielinski",
)  # fmt: skip


@dataclass(frozen=True)
class SyntheticCandidates:
    fixture: dict[str, Any]  # the whole fixture: the original data plus the clones
    workflow_ids: list[int]  # the clones, in the order they were made
    person_ids: list[int]  # each clone's candidate, in the same order
    ready_status: str  # the offer-ready status id of the first template (the clones' unless parked)
    parked_status: str | None  # a status outside the offer stage, or None when the fixture lists none


def add_offer_ready_candidates(
    fixture: dict[str, Any],
    mapping: TenantMapping,
    count: int,
    *,
    today: date,
    parked: bool = False,
    usable: Usable | None = None,
    lead_days: int = 14,
) -> SyntheticCandidates:
    """A copy of `fixture` with `count` cloned offer-ready workflows. `parked`: the clones, and the fixture's own
    offer-ready workflows, sit at a status outside the offer stage instead (until a test moves them)."""
    data = copy.deepcopy(fixture)
    templates = offer_ready_templates(data, mapping, usable)
    if not templates:
        raise FixtureError("the fixture has no offer-ready applicant workflow (that can be used) to clone")
    workflows: dict[str, Any] = data["applicantworkflows"]
    ready = copy.deepcopy(workflows[str(templates[0])]["status"])
    parked_status = parking_status(data, mapping)
    if parked and parked_status is None:
        raise FixtureError("the fixture's statuses list none outside the offer stage to park workflows at")
    parked_node = {"id": parked_status, "value": data.get("statuses", {}).get(parked_status)}
    if parked:
        _park_offer_ready(workflows, mapping, parked_node)
    ids, entries, names = _id_counter(data), _entry_counter(data), _fresh_names(data)
    workflow_ids, person_ids = [], []
    for n in range(count):
        template = workflows[str(templates[n % len(templates)])]
        person_id, workflow_id = next(ids), next(ids)
        first, last = next(names)
        data["people"][str(person_id)] = _person(data, template, first, last, entries)
        clone = _workflow(template, person_id, f"{first} {last}", today, lead_days)
        if parked:
            clone["status"] = dict(parked_node)
        workflows[str(workflow_id)] = clone
        workflow_ids.append(workflow_id)
        person_ids.append(person_id)
    return SyntheticCandidates(data, workflow_ids, person_ids, str(ready["id"]), parked_status)


def offer_ready_templates(fixture: dict[str, Any], mapping: TenantMapping, usable: Usable | None = None) -> list[int]:
    """The fixture's workflows at an offer-ready status whose person and job it holds (and `usable` accepts)."""
    found = []
    for key, workflow in sorted(fixture.get("applicantworkflows", {}).items(), key=lambda item: int(item[0])):
        if not mapping.is_offer_ready(_status_id(workflow)):
            continue
        bundle = bundle_of(fixture, int(key))
        if bundle is not None and (usable is None or usable(bundle)):
            found.append(int(key))
    return found


def bundle_of(fixture: dict[str, Any], workflow_id: int) -> WorkflowBundle | None:
    """The WorkflowBundle a client would fetch for `workflow_id` from a sandbox serving `fixture` (None when the
    fixture lacks the workflow's person or job)."""
    workflow = ApplicantWorkflow.model_validate(fixture["applicantworkflows"][str(workflow_id)])
    person = fixture.get("people", {}).get(str(workflow.person_id))
    job_data = fixture.get("jobs", {}).get(str(workflow.job_id))
    if person is None or job_data is None:
        return None
    job = Job.model_validate(job_data)
    company = address = None
    link = job.joblocation
    if link is not None and str(link.companyid) in fixture.get("companies", {}):
        company = Company.model_validate(fixture["companies"][str(link.companyid)])
        address = company.address(link.id) if link.id is not None else None
    return WorkflowBundle(workflow_id, workflow, Person.model_validate(person), job, address, company)


def parking_status(fixture: dict[str, Any], mapping: TenantMapping) -> str | None:
    """A status the fixture lists that is neither offer-ready nor one that ends an offer (accepted, declined,
    withdrawn)."""
    statuses = fixture.get("statuses") or {}
    return next((s for s in statuses if not mapping.is_offer_ready(s) and not mapping.ends_offer(s)), None)


def _park_offer_ready(workflows: dict[str, Any], mapping: TenantMapping, node: dict[str, Any]) -> None:
    for workflow in workflows.values():
        if mapping.is_offer_ready(_status_id(workflow)):
            workflow["status"] = dict(node)


def _status_id(workflow: dict[str, Any]) -> str | None:
    status = workflow.get("status")
    return str(status["id"]) if isinstance(status, dict) and status.get("id") is not None else None


def _person(
    data: dict[str, Any], template: dict[str, Any], first: str, last: str, entries: Iterator[int]
) -> dict[str, Any]:
    person: dict[str, Any] = copy.deepcopy(data["people"][str(template["associatedprofile"]["id"])])
    person.update(firstname=first, lastname=last, email=f"{first}.{last}@candidates.example".lower())
    for rows in person.values():  # collection rows (phones, addresses) carry tenant-wide entry ids
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and "entry" in row:
                row["entry"] = next(entries)
    return person


def _workflow(template: dict[str, Any], person_id: int, name: str, today: date, lead_days: int) -> dict[str, Any]:
    clone = copy.deepcopy(template)
    link = clone["associatedprofile"]
    clone["associatedprofile"] = {**link, "id": person_id, "value": name}
    if isinstance(link.get("profile"), str):
        clone["associatedprofile"]["profile"] = f"{link['profile'].rsplit('/', 1)[0]}/{person_id}"
    dates = {field: day for field, value in clone.items() if (day := _iso_date(value)) is not None}
    if dates:
        shift = today + timedelta(days=lead_days) - min(dates.values())
        clone.update({field: (day + shift).isoformat() for field, day in dates.items()})
    return clone


def _iso_date(value: object) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _profile_maps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for k, v in data.items() if k not in RESERVED_KEYS and isinstance(v, dict)]


def _id_counter(data: dict[str, Any]) -> Iterator[int]:
    used = [int(key) for profiles in _profile_maps(data) for key in profiles if str(key).isdigit()]
    return itertools.count(max(used, default=0) + 1)


def _entry_counter(data: dict[str, Any]) -> Iterator[int]:
    highest = 0

    def visit(value: Any) -> None:
        nonlocal highest
        if isinstance(value, dict):
            if isinstance(value.get("entry"), int):
                highest = max(highest, value["entry"])
            for child in value.values():
                visit(child)
        elif isinstance(value, list):
            for child in value:
                visit(child)

    visit(_profile_maps(data))
    return itertools.count(highest + 1)


def _fresh_names(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """First and last names no person of the fixture (nor an earlier clone) has; a numbered round after the lists
    are used up. Consecutive clones differ in both names."""
    taken = {(str(p.get("firstname")), str(p.get("lastname"))) for p in data.get("people", {}).values()}
    size = len(FIRST_NAMES) * len(LAST_NAMES)
    for n in itertools.count():
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        # shifting the last name once per full turn of first names walks every pair exactly once
        last = LAST_NAMES[(n + n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        if n >= size:
            last = f"{last}-{n // size + 1}"
        if (first, last) not in taken:
            taken.add((first, last))
            yield first, last
