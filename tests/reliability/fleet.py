"""Many offer-ready candidates for the load and scale-out tests, and iCIMS notifications about them.

`offer_ready_fleet` is the sandbox's synthetic candidates (`icims.sandbox.synthetic`) from the configured fixture,
cloning only workflows that draft a complete offer. `notification` and `signed_request` make the status
change notification iCIMS sends and sign it as the settings configure (HMAC or Basic).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from app.config import Settings
from app.sandbox_settings import event_target
from icims.sandbox.emitter import signed_delivery
from icims.sandbox.synthetic import add_offer_ready_candidates
from icims.webhooks import STATUS_CHANGE_EVENT
from offer_engine.db import session_scope
from offer_engine.intake import read_terms
from offer_engine.letter_store import Letter
from offer_engine.offers import Offer
from offer_engine.versions import OfferVersion
from tests.factories import fixture_data


@dataclass(frozen=True)
class Fleet:
    fixture: dict[str, Any]
    workflow_ids: list[int]
    ready_status: str  # the REST status id the clones are (or will be moved) at
    parked_status: str  # a status outside the offer stage


def offer_ready_fleet(settings: Settings, count: int, *, today: date, parked: bool = False) -> Fleet:
    """`count` cloned workflows at the tenant's offer-ready status (or parked outside the offer stage, and the
    fixture's own workflows parked too, so that nothing is offer-ready until the test moves it). Only workflows
    whose terms the tenant mapping reads completely are cloned: each clone drafts a letter."""
    mapping = settings.tenant
    synthetic = add_offer_ready_candidates(
        fixture_data(settings.sandbox.fixture),
        mapping,
        count,
        today=today,
        parked=parked,
        usable=lambda bundle: not read_terms(bundle, mapping).missing,
    )
    assert synthetic.parked_status is not None, "the fixture lists no status outside the offer stage"
    return Fleet(synthetic.fixture, synthetic.workflow_ids, synthetic.ready_status, synthetic.parked_status)


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
    return signed_delivery(payload, event_target(settings, url))


def drafts_per_workflow(engine: Engine) -> dict[str, Counter[int]]:
    """How many offers, versions and letters each workflow has."""
    with session_scope(engine) as session:
        offers = {o.id: o.workflow_id for o in session.exec(select(Offer))}
        return {
            "offers": Counter(offers.values()),
            "versions": Counter(offers[v.offer_id] for v in session.exec(select(OfferVersion))),
            "letters": Counter(offers[letter.offer_id] for letter in session.exec(select(Letter))),
        }
