"""Releasing an approved offer to the candidate, and the candidate's chat link that lives in iCIMS.

On release the offer becomes `sent` (iCIMS's draft status says 'Released') and the outbox writes the
candidate's signed chat link, valid until the offer expires, to the tenant's chat-link field on the workflow,
so the iCIMS candidate portal and email templates can show it. Rotating a link (a new generation) makes every
older link stop working at once and writes the new one; revoking stops every link and clears the field.

The link itself is minted by the caller (`mint_link`): the signing key and the URL belong to the app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from offer_engine import access, lifecycle, offers, writebacks
from offer_engine.actors import Actor, Role
from offer_engine.columns import utcnow
from offer_engine.errors import IllegalTransitionError
from offer_engine.flows import EngineSetup
from offer_engine.notify_events import notify_letter_released
from offer_engine.offers import Offer, OfferState
from offer_engine.versions import require_current_version
from offer_engine.writebacks import WritebackPlan

DEFAULT_LINK_DAYS = 14  # for an offer without an expiry date


class LinkGrant(BaseModel):
    """What a chat link must grant: one workflow's offer, at the current link generation, until `expires_at`."""

    model_config = ConfigDict(frozen=True)

    customer_id: int
    workflow_id: int
    offer_id: int
    generation: int
    expires_at: datetime


LinkMinter = Callable[[LinkGrant], str]


class LinkOutcome(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    offer_id: int
    generation: int
    url: str | None  # None when the link was revoked
    expires_at: datetime | None
    plan: WritebackPlan


def link_expiry(session: Session, offer: Offer, *, now: datetime | None = None) -> datetime:
    """The end of the offer's expiry day (UTC), or DEFAULT_LINK_DAYS from now when it has none."""
    terms = require_current_version(session, offer).offer_terms
    if terms.expiry_date is None:
        return (now or utcnow()) + timedelta(days=DEFAULT_LINK_DAYS)
    return datetime.combine(terms.expiry_date, time(23, 59, 59), tzinfo=UTC)


def release_offer(
    session: Session,
    offer_id: int,
    setup: EngineSetup,
    *,
    actor: Actor,
    mint_link: LinkMinter,
    now: datetime | None = None,
) -> LinkOutcome:
    """Send the approved offer to the candidate and queue the chat link for the workflow's link field."""
    actor.require_role(Role.RECRUITER, action="release an offer to the candidate")
    offer = offers.get_offer(session, offer_id, lock=True)
    if offer.status is not OfferState.APPROVED:
        raise IllegalTransitionError(f"offer {offer_id}", offer.state, OfferState.SENT.value, "approve it first")
    _check_not_expired(session, offer, now)
    lifecycle.release(session, offer_id, setup, actor=actor, now=now)
    notify_letter_released(session, offer, actor=actor, now=now)
    generation = access.current_generation(session, offer.customer_id, offer.workflow_id)
    return _write_link(session, offer, setup, generation, actor, mint_link, now)


def rotate_link(
    session: Session,
    offer_id: int,
    setup: EngineSetup,
    *,
    actor: Actor,
    mint_link: LinkMinter,
    now: datetime | None = None,
) -> LinkOutcome:
    """Replace the candidate's link: older links stop working now, the new one is written to iCIMS."""
    offer = _sent_offer(session, offer_id, "rotate the candidate's link")
    _check_not_expired(session, offer, now)
    generation = access.rotate(session, offer.customer_id, offer.workflow_id, actor)
    return _write_link(session, offer, setup, generation, actor, mint_link, now)


def revoke_link(
    session: Session, offer_id: int, setup: EngineSetup, *, actor: Actor, now: datetime | None = None
) -> LinkOutcome:
    """Stop every link of the candidate now and clear the link field in iCIMS (until a rotation)."""
    offer = _sent_offer(session, offer_id, "revoke the candidate's link")
    access.revoke(session, offer.customer_id, offer.workflow_id, actor)
    generation = _generation(session, offer)
    plan = writebacks.enqueue_chat_link(
        session,
        offer=offer,
        url="",
        link_id=f"g{generation}-revoked",
        mapping=setup.mapping,
        actor=actor,
        now=now,
    )
    return LinkOutcome(offer_id=offer_id, generation=generation, url=None, expires_at=None, plan=plan)


def _generation(session: Session, offer: Offer) -> int:
    row = session.exec(
        select(access.CandidateAccess).where(
            access.CandidateAccess.customer_id == offer.customer_id,
            access.CandidateAccess.workflow_id == offer.workflow_id,
        )
    ).one()
    return row.generation


def _sent_offer(session: Session, offer_id: int, action: str) -> Offer:
    offer = offers.get_offer(session, offer_id, lock=True)
    if offer.status is not OfferState.SENT:
        raise IllegalTransitionError(f"offer {offer_id}", offer.state, action, "only a sent offer has a candidate link")
    return offer


def _check_not_expired(session: Session, offer: Offer, now: datetime | None) -> None:
    if link_expiry(session, offer, now=now) <= (now or utcnow()):
        raise IllegalTransitionError(f"offer {offer.id}", offer.state, "link issued", "the offer has expired")


def _write_link(
    session: Session,
    offer: Offer,
    setup: EngineSetup,
    generation: int,
    actor: Actor,
    mint_link: LinkMinter,
    now: datetime | None,
) -> LinkOutcome:
    expires = link_expiry(session, offer, now=now)
    grant = LinkGrant(
        customer_id=offer.customer_id,
        workflow_id=offer.workflow_id,
        offer_id=offer.id or 0,
        generation=generation,
        expires_at=expires,
    )
    url = mint_link(grant)  # shown to the recruiter now; the outbox keeps only the grant and mints at delivery
    plan = writebacks.enqueue_chat_link(
        session,
        offer=offer,
        link=grant.model_dump(mode="json"),
        link_id=f"g{generation}-v{offer.current_version_number}",
        mapping=setup.mapping,
        actor=actor,
        now=now,
    )
    return LinkOutcome(offer_id=grant.offer_id, generation=generation, url=url, expires_at=expires, plan=plan)
