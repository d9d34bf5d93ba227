"""Many offer-ready candidates for the load and scale-out tests, and iCIMS notifications about them.

`offer_ready_fleet` builds a sandbox fixture from the demo fixture's shape: every offer-ready demo workflow is a
template, cloned round-robin with its own candidate (a copy of the template's person under a new id and name)
and offer dates relative to today, so the fixture never ages. `notification` and `signed_post` make the status
change notification iCIMS sends and sign it as the settings configure (HMAC or Basic).
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from app.config import Settings
from app.webhooks import webhook_secret
from icims.mapping import TenantMapping
from icims.webhooks import STATUS_CHANGE_EVENT, sign_hmac
from offer_engine.db import session_scope
from offer_engine.intake import read_terms
from offer_engine.letter_store import Letter
from offer_engine.offers import Offer
from offer_engine.versions import OfferVersion
from tests.factories import bundle_from, fixture_data

FIRST_CLONE_ID = 700_001
FIRST_PERSON_ID = 800_001


@dataclass(frozen=True)
class Fleet:
    fixture: dict[str, Any]
    workflow_ids: list[int]
    ready_status: str  # the REST status id the clones are (or will be moved) at
    parked_status: str  # a status outside the offer stage


def _status_field(mapping: TenantMapping, term: str) -> str | None:
    refs = [r for r in mapping.terms.get(term, []) if r.profile == "applicantworkflow"]
    return refs[0].field if refs else None


def offer_ready_fleet(settings: Settings, count: int, *, today: date, parked: bool = False) -> Fleet:
    """`count` cloned workflows at the tenant's offer-ready status (or parked outside the offer stage, and the
    demo's own workflows parked too, so that nothing is offer-ready until the test moves it). Only workflows whose
    terms the tenant mapping reads completely are cloned: each clone drafts a letter."""
    data = fixture_data(settings.sandbox.fixture)
    mapping = settings.tenant
    workflows: dict[str, Any] = data["applicantworkflows"]
    templates = [k for k, w in workflows.items() if mapping.is_offer_ready((w.get("status") or {}).get("id"))]
    templates = [k for k in templates if not read_terms(bundle_from(data, int(k)), mapping).missing]
    assert templates, "the fixture has no offer-ready workflow with complete terms to clone"
    ready = workflows[templates[0]]["status"]
    closing = {mapping.offer_accepted_status, mapping.offer_declined_status}
    parking = next(s for s in data["statuses"] if not mapping.is_offer_ready(s) and s not in closing)
    parked_node = {"id": parking, "value": data["statuses"][parking]}
    if parked:
        for workflow in workflows.values():
            if mapping.is_offer_ready(workflow["status"]["id"]):
                workflow["status"] = dict(parked_node)
    dated = {_status_field(mapping, "start_date"): 60, _status_field(mapping, "expiry_date"): 14}
    ids = []
    for n in range(count):
        template = workflows[templates[n % len(templates)]]
        workflow_id, person_id = FIRST_CLONE_ID + n, FIRST_PERSON_ID + n
        person = copy.deepcopy(data["people"][str(template["associatedprofile"]["id"])])
        person.update(firstname=f"Candidate{n}", lastname=f"Fleet{n}", email=f"candidate{n}@fleet.example")
        data["people"][str(person_id)] = person
        clone = copy.deepcopy(template)
        link = clone["associatedprofile"]
        profile_url = f"{link['profile'].rsplit('/', 1)[0]}/{person_id}"
        name = f"Candidate{n} Fleet{n}"
        clone["associatedprofile"] = {**link, "id": person_id, "value": name, "profile": profile_url}
        clone["status"] = dict(parked_node) if parked else copy.deepcopy(ready)
        for field, days in dated.items():
            if field is not None:
                clone[field] = (today + timedelta(days=days)).isoformat()
        workflows[str(workflow_id)] = clone
        ids.append(workflow_id)
    return Fleet(data, ids, ready["id"], parking)


def numeric(status_id: str) -> str:
    """The numeric form of a status id that webhooks carry (C20001 → 20001)."""
    return "".join(ch for ch in status_id if ch.isdigit())


def notification(settings: Settings, fleet: Fleet, workflow_id: int) -> dict[str, Any]:
    """The status-change notification iCIMS sends when the workflow enters the offer stage."""
    workflow = fleet.fixture["applicantworkflows"][str(workflow_id)]
    return {
        "customerId": str(settings.icims.customer_id),
        "eventType": STATUS_CHANGE_EVENT,
        "systemId": str(workflow_id),
        "jobId": str(workflow["baseprofile"]["id"]),
        "personId": str(workflow["associatedprofile"]["id"]),
        "userId": "1401",
        "oldStatus": numeric(fleet.parked_status),
        "newStatus": numeric(fleet.ready_status),
    }


def signed_request(settings: Settings, url: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The gzipped body and headers of a delivery to `url`, authenticated as `icims.webhook` configures."""
    body = gzip.compress(json.dumps(payload).encode())
    hook = settings.icims.webhook
    secret = webhook_secret(settings)
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    if hook.mode == "hmac":
        signed = sign_hmac(method="POST", url=url, body=body, user=hook.hmac_user or "", secret=secret)
        headers.update({k: v for k, v in signed.items() if k != "host"})
    else:
        pair = f"{hook.username}:{secret}".encode()
        headers["authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    return body, headers


def drafts_per_workflow(engine: Engine) -> dict[str, Counter[int]]:
    """How many offers, versions and letters each workflow has."""
    with session_scope(engine) as session:
        offers = {o.id: o.workflow_id for o in session.exec(select(Offer))}
        return {
            "offers": Counter(offers.values()),
            "versions": Counter(offers[v.offer_id] for v in session.exec(select(OfferVersion))),
            "letters": Counter(offers[letter.offer_id] for letter in session.exec(select(Letter))),
        }
