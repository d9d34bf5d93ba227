"""Sign-in from a signed link, and the access re-check every chat message goes through.

A link opens a chat only when its signature, audience and expiry are valid (`app.links.verify_token`), it
names the workflow's open offer, its generation is the workflow's current one (rotating or revoking a link
bumps it) and, for a one-time link, it has not been used. The same generation check runs again on every
message, so revoking a link ends chats that are already open.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.chat.identity import CandidateIdentity, Channel
from app.chat.transactions import in_transaction
from app.config import Settings
from app.links import Audience, LinkClaims, LinkError, verify_token
from offer_engine import access, audit
from offer_engine.access import AccessDeniedError
from offer_engine.actors import candidate_actor
from offer_engine.offers import CLOSED_STATES, Offer, find_open_offer, get_offer
from offer_engine.versions import current_version


class SignInRefusedError(Exception):
    """The link must not open a chat. `reason` is safe to show to whoever holds the link."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def sign_in(settings: Settings, db: Engine, token: str, *, audience: Audience, channel: Channel) -> CandidateIdentity:
    """The identity a valid link grants; SignInRefusedError for forged, tampered, expired, replaced or reused links."""
    try:
        claims = verify_token(settings.secret("security.link_signing_key"), token, audience=audience)
    except LinkError as exc:
        raise SignInRefusedError(_LINK_REASONS.get(exc.reason, "This link is not valid."), str(exc)) from exc
    return in_transaction(db, lambda session: _open_session(session, settings, claims, channel))


def _open_session(session: Session, settings: Settings, claims: LinkClaims, channel: Channel) -> CandidateIdentity:
    customer_id = settings.icims.customer_id
    offer = find_open_offer(session, customer_id, claims.workflow_id)
    if offer is None or offer.id is None or (claims.offer_id is not None and claims.offer_id != offer.id):
        raise SignInRefusedError("This link is for an offer that is no longer open.", f"workflow {claims.workflow_id}")
    if current_version(session, offer) is None:
        raise SignInRefusedError("This offer is not ready yet. Please try again later.", f"offer {offer.id}: no terms")
    try:
        access.check_generation(session, customer_id, claims.workflow_id, claims.generation)
        if claims.one_time:
            expires = datetime.fromtimestamp(claims.exp, UTC)
            access.consume_one_time(session, claims.jti, claims.workflow_id, expires)
    except AccessDeniedError as exc:
        raise SignInRefusedError(_access_reason(exc), str(exc)) from exc
    identity = identity_for(offer, claims, channel)
    audit.record(
        session,
        actor=candidate_actor(offer.person_id or 0),
        action="candidate.signed_in",
        subject_type="offer",
        subject_id=offer.id,
        icims=offer.icims_ids,
        details={"channel": channel, "link_id": claims.jti, "one_time": claims.one_time},
    )
    return identity


def identity_for(offer: Offer, claims: LinkClaims, channel: Channel) -> CandidateIdentity:
    context = offer.attributes.get("letter_context") or {}
    extras = offer.attributes.get("extras") or {}
    assert offer.id is not None
    return CandidateIdentity(
        customer_id=offer.customer_id,
        workflow_id=offer.workflow_id,
        offer_id=offer.id,
        person_id=offer.person_id,
        generation=claims.generation,
        channel=channel,
        display_name=str(context.get("candidate_name") or extras.get("candidate_name") or ""),
        language=context.get("language") or None,
        link_id=claims.jti,
        link_expires_at=claims.exp,
    )


def recheck(db: Engine, identity: CandidateIdentity) -> None:
    """Raise AccessDeniedError unless the identity's link is still current and its offer still open."""
    in_transaction(db, lambda session: _check(session, identity))


def _check(session: Session, identity: CandidateIdentity) -> None:
    access.check_generation(session, identity.customer_id, identity.workflow_id, identity.generation)
    offer = get_offer(session, identity.offer_id)
    if offer.workflow_id != identity.workflow_id or offer.customer_id != identity.customer_id:
        raise AccessDeniedError("the session does not match this offer")
    if offer.status in CLOSED_STATES:
        raise AccessDeniedError(f"the offer is {offer.state}")


_LINK_REASONS = {
    "expired link": "This link has expired. Please ask your recruiter for a new one.",
    "invalid link": "This link is not valid. Please use the link your recruiter sent you.",
}


def _access_reason(exc: AccessDeniedError) -> str:
    text = str(exc)
    if "already been used" in text:
        return "This one-time link has already been used. Please ask your recruiter for a new one."
    if "revoked" in text:
        return "This link has been turned off. Please contact your recruiter."
    return "This link has been replaced by a newer one. Please use the latest link from your recruiter."
