"""Releasing an approved offer writes the candidate's chat link to iCIMS; rotation and revocation act at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine

from app.config import Settings
from offer_engine import access, outbox, release
from offer_engine.access import AccessDeniedError
from offer_engine.db import session_scope
from offer_engine.errors import IllegalTransitionError, PermissionDeniedError
from offer_engine.flows import EngineSetup
from offer_engine.offers import Offer, OfferState, get_offer
from offer_engine.outbox import JobKind
from offer_engine.policy import load_policy
from offer_engine.release import LinkGrant
from tests import factories as f
from tests.offer_engine.conftest import Snapshot


@pytest.fixture
def setup(settings: Settings) -> EngineSetup:
    return EngineSetup(
        customer_id=f.CUSTOMER_ID,
        company_name="Corvid",
        mapping=settings.tenant,
        policy=load_policy(settings.policy_file),
    )


class Minter:
    """Records the grants it was asked for; the URL names the generation so tests can tell links apart."""

    def __init__(self) -> None:
        self.grants: list[LinkGrant] = []

    def __call__(self, grant: LinkGrant) -> str:
        self.grants.append(grant)
        return f"https://chat.example/auth/portal?wf={grant.workflow_id}&gen={grant.generation}&n={len(self.grants)}"


def approved(engine: Engine, **terms: object) -> Offer:
    with session_scope(engine) as session:
        return f.make_offer(session, terms=f.make_terms(**terms), state=OfferState.APPROVED)


def link_jobs(engine: Engine, offer: Offer) -> list[outbox.SyncJob]:
    with session_scope(engine) as session:
        return [j for j in outbox.list_jobs(session) if j.offer_id == offer.id and j.kind == JobKind.WRITE_CHAT_LINK]


def test_releasing_sends_the_offer_and_queues_the_link_valid_until_expiry(engine: Engine, setup: EngineSetup) -> None:
    expiry = date.today() + timedelta(days=10)
    offer, minter = approved(engine, expiry_date=expiry), Minter()
    with session_scope(engine) as session:
        outcome = release.release_offer(session, offer.id or 0, setup, actor=f.recruiter(), mint_link=minter)
        assert get_offer(session, offer.id or 0).state == "sent"
    assert outcome.expires_at == datetime.combine(expiry, time(23, 59, 59), tzinfo=UTC)
    assert minter.grants == [
        LinkGrant(
            customer_id=f.CUSTOMER_ID,
            workflow_id=offer.workflow_id,
            offer_id=offer.id or 0,
            generation=0,
            expires_at=outcome.expires_at,
        )
    ]
    [job] = link_jobs(engine, offer)
    # the outbox holds a reference to the link, never the token: the worker mints it when it writes it
    assert job.payload == {"field": setup.mapping.chat_link_field, "link": minter.grants[0].model_dump(mode="json")}
    assert outcome.url is not None
    assert outcome.url not in str(job.payload)
    with session_scope(engine) as session:
        fields = [j.payload.get("fields") for j in outbox.list_jobs(session) if j.kind == JobKind.PATCH_FIELDS]
    assert {setup.mapping.draft_status_field: setup.mapping.draft_status_values.released} in fields


@pytest.mark.parametrize("state", [OfferState.IN_REVIEW, OfferState.PENDING_APPROVAL, OfferState.SENT])
def test_only_an_approved_offer_is_released(
    engine: Engine, setup: EngineSetup, state: OfferState, db_snapshot: Callable[[Engine], Snapshot]
) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=state)
    before = db_snapshot(engine)
    with pytest.raises(IllegalTransitionError), session_scope(engine) as session:
        release.release_offer(session, offer.id or 0, setup, actor=f.recruiter(), mint_link=Minter())
    assert db_snapshot(engine) == before


@pytest.mark.parametrize("who", [f.hiring_manager, f.compensation, f.legal])
def test_only_recruiters_release(engine: Engine, setup: EngineSetup, who: Callable[[], object]) -> None:
    offer = approved(engine)
    with pytest.raises(PermissionDeniedError), session_scope(engine) as session:
        release.release_offer(session, offer.id or 0, setup, actor=who(), mint_link=Minter())  # type: ignore[arg-type]


def test_an_expired_offer_gets_no_link(engine: Engine, setup: EngineSetup) -> None:
    offer = approved(engine)
    later = datetime.now(UTC) + timedelta(days=30)  # past the factory's 14-day expiry
    with pytest.raises(IllegalTransitionError, match="expired"), session_scope(engine) as session:
        release.release_offer(session, offer.id or 0, setup, actor=f.recruiter(), mint_link=Minter(), now=later)


def test_rotation_invalidates_the_old_link_at_once_and_writes_the_new_one(engine: Engine, setup: EngineSetup) -> None:
    offer, minter = approved(engine), Minter()
    with session_scope(engine) as session:
        first = release.release_offer(session, offer.id or 0, setup, actor=f.recruiter(), mint_link=minter)
    with session_scope(engine) as session:
        second = release.rotate_link(session, offer.id or 0, setup, actor=f.recruiter(), mint_link=minter)
    assert (first.generation, second.generation) == (0, 1)
    with session_scope(engine) as session:
        with pytest.raises(AccessDeniedError):
            access.check_generation(session, offer.customer_id, offer.workflow_id, first.generation)
        access.check_generation(session, offer.customer_id, offer.workflow_id, second.generation)
    assert [j.payload["link"]["generation"] for j in link_jobs(engine, offer)] == [0, 1]


def test_revocation_stops_every_link_and_clears_the_field(engine: Engine, setup: EngineSetup) -> None:
    offer = approved(engine)
    with session_scope(engine) as session:
        release.release_offer(session, offer.id or 0, setup, actor=f.recruiter(), mint_link=Minter())
    with session_scope(engine) as session:
        outcome = release.revoke_link(session, offer.id or 0, setup, actor=f.recruiter())
    assert outcome.url is None
    with session_scope(engine) as session, pytest.raises(AccessDeniedError, match="revoked"):
        access.current_generation(session, offer.customer_id, offer.workflow_id)
    assert link_jobs(engine, offer)[-1].payload["url"] == ""


def test_links_are_managed_only_for_sent_offers(engine: Engine, setup: EngineSetup) -> None:
    offer = approved(engine)
    with pytest.raises(IllegalTransitionError), session_scope(engine) as session:
        release.rotate_link(session, offer.id or 0, setup, actor=f.recruiter(), mint_link=Minter())
    with pytest.raises(IllegalTransitionError), session_scope(engine) as session:
        release.revoke_link(session, offer.id or 0, setup, actor=f.recruiter())


def test_without_a_mapped_link_field_nothing_is_written(engine: Engine, setup: EngineSetup) -> None:
    unmapped = EngineSetup(
        customer_id=setup.customer_id,
        company_name="Corvid",
        mapping=setup.mapping.model_copy(update={"chat_link_field": None}),
        policy=setup.policy,
    )
    offer = approved(engine)
    with session_scope(engine) as session:
        outcome = release.release_offer(session, offer.id or 0, unmapped, actor=f.recruiter(), mint_link=Minter())
    assert outcome.plan.jobs == []
    assert outcome.plan.skipped
    assert link_jobs(engine, offer) == []
