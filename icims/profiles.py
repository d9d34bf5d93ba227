"""Everything iCIMS knows about one applicant workflow, fetched together, and reads by tenant field reference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from icims.client import ICIMSClient
from icims.errors import AccessDenied, InvalidResponse, NotFound
from icims.mapping import FieldRef
from icims.models import Address, ApplicantWorkflow, Company, ICIMSModel, Job, Person
from icims.values import is_empty


@dataclass
class WorkflowBundle:
    """A workflow with its person, job, and the company address the job's ``joblocation`` points to.

    ``problems`` lists what could not be resolved without failing the fetch (e.g. a location the integration
    user may not see); ``job_location`` and ``company`` are then None.
    """

    workflow_id: int
    workflow: ApplicantWorkflow
    person: Person
    job: Job
    job_location: Address | None
    company: Company | None
    problems: list[str] = field(default_factory=list)


def fetch_workflow_bundle(client: ICIMSClient, workflow_id: int) -> WorkflowBundle:
    """GET the workflow, its person (``associatedprofile``), its job (``baseprofile``) and the job's location."""
    workflow = client.get_workflow(workflow_id)
    if workflow.person_id is None or workflow.job_id is None:
        missing = "associatedprofile" if workflow.person_id is None else "baseprofile"
        raise InvalidResponse(
            f"applicant workflow {workflow_id} has no {missing}: the integration user may not be allowed to see it"
        )
    person = client.get_person(workflow.person_id)
    job = client.get_job(workflow.job_id)
    company, address, problems = _job_location(client, job)
    return WorkflowBundle(workflow_id, workflow, person, job, address, company, problems)


def read_ref(bundle: WorkflowBundle, ref: FieldRef) -> object | None:
    """The raw JSON value at ``ref`` (e.g. ``applicantworkflow.field31001``), or None when absent or empty."""
    source = _profile(bundle, ref.profile)
    if source is None:
        return None
    value = source.get(ref.field)
    return None if is_empty(value) else value


def read_first(bundle: WorkflowBundle, refs: Sequence[FieldRef]) -> tuple[object | None, FieldRef | None]:
    """The first non-empty value among ``refs`` and the reference it came from; ``(None, None)`` if none."""
    for ref in refs:
        value = read_ref(bundle, ref)
        if value is not None:
            return value, ref
    return None, None


def _profile(bundle: WorkflowBundle, kind: str) -> ICIMSModel | None:
    profiles: dict[str, ICIMSModel | None] = {
        "applicantworkflow": bundle.workflow,
        "job": bundle.job,
        "person": bundle.person,
        "joblocation": bundle.job_location,
    }
    if kind not in profiles:
        raise ValueError(f"unknown profile kind {kind!r}")
    return profiles[kind]


def _job_location(client: ICIMSClient, job: Job) -> tuple[Company | None, Address | None, list[str]]:
    link = job.joblocation
    if link is None or link.companyid is None:
        return None, None, []
    try:
        company = client.get_company(link.companyid)
    except (NotFound, AccessDenied) as exc:
        return None, None, [f"job location company {link.companyid} could not be read: {exc}"]
    if link.id is None:
        return company, None, [f"job location of company {link.companyid} names no address entry"]
    address = company.address(link.id)
    if address is None:
        return company, None, [f"company {link.companyid} has no address entry {link.id} (the job's joblocation)"]
    return company, address, []
