"""Sign-in from a signed link and the per-message re-check (`app.chat.signin`), on offers built directly through the
offer engine (no sandbox, no index: fast enough to guard every branch of the module)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app.chat.identity import CandidateIdentity
from app.chat.signin import SignInRefusedError, recheck, sign_in
from app.config import Settings
from app.links import Audience, issue_token
from offer_engine import access, offers
from offer_engine.access import AccessDeniedError
from offer_engine.audit import events_for
from offer_engine.db import session_scope
from offer_engine.offers import Offer, OfferState
from tests import factories

HOUR = 3600


def _offer(engine: Engine, state: OfferState = OfferState.DRAFT, **attributes: Any) -> Offer:
    with session_scope(engine) as session:
        offer = factories.make_offer(session, state=state)
        if attributes:
            offer.attributes = attributes
            session.add(offer)
        session.flush()
        session.expunge(offer)
        return offer


def _token(settings: Settings, workflow_id: int, **claims: Any) -> str:
    key = settings.secret("security.link_signing_key")
    return issue_token(key, audience=Audience.PORTAL, workflow_id=workflow_id, ttl_seconds=HOUR, **claims)


def _sign_in(settings: Settings, engine: Engine, token: str) -> CandidateIdentity:
    return sign_in(settings, engine, token, audience=Audience.PORTAL, channel="portal")


def _refusal(settings: Settings, engine: Engine, token: str) -> str:
    with pytest.raises(SignInRefusedError) as refused:
        _sign_in(settings, engine, token)
    return refused.value.reason


def test_a_valid_link_grants_the_offers_identity(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine, letter_context={"candidate_name": "Maya Chen", "language": "de"})
    assert offer.id is not None
    expires = int(time.time()) + HOUR
    token = _token(settings, offer.workflow_id, offer_id=offer.id, now=expires - HOUR)
    identity = _sign_in(settings, engine, token)
    assert identity.model_dump(exclude={"link_id"}) == {
        "customer_id": offer.customer_id,
        "workflow_id": offer.workflow_id,
        "offer_id": offer.id,
        "person_id": offer.person_id,
        "generation": 0,
        "channel": "portal",
        "display_name": "Maya Chen",
        "language": "de",
        "link_expires_at": expires,
    }
    assert identity.link_id


def test_a_sign_in_is_recorded_on_the_offer_as_the_candidate(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine)
    identity = _sign_in(settings, engine, _token(settings, offer.workflow_id, one_time=True))
    with session_scope(engine) as session:
        [event] = [e for e in events_for(session, "offer", offer.id or 0) if e.action == "candidate.signed_in"]
    assert (event.actor_kind, event.actor_id) == ("candidate", str(offer.person_id))
    assert event.details == {"channel": "portal", "link_id": identity.link_id, "one_time": True}


def test_the_name_falls_back_to_the_extras_then_to_nothing(settings: Settings, engine: Engine) -> None:
    extras = _offer(engine, letter_context={"language": ""}, extras={"candidate_name": "Daniel Ortiz"})
    identity = _sign_in(settings, engine, _token(settings, extras.workflow_id))
    assert (identity.display_name, identity.language) == ("Daniel Ortiz", None)
    bare = _offer(engine)
    identity = _sign_in(settings, engine, _token(settings, bare.workflow_id))
    assert (identity.display_name, identity.language) == ("", None)


def test_a_link_without_an_offer_id_opens_the_workflows_open_offer(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine)
    assert _sign_in(settings, engine, _token(settings, offer.workflow_id)).offer_id == offer.id


def test_a_link_for_another_offer_of_the_workflow_is_refused(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine)
    token = _token(settings, offer.workflow_id, offer_id=(offer.id or 0) + 1000)
    assert _refusal(settings, engine, token) == "This link is for an offer that is no longer open."


def test_a_link_for_a_workflow_without_an_open_offer_is_refused(settings: Settings, engine: Engine) -> None:
    withdrawn = _offer(engine, OfferState.WITHDRAWN)
    refusal = "This link is for an offer that is no longer open."
    assert _refusal(settings, engine, _token(settings, withdrawn.workflow_id)) == refusal
    assert _refusal(settings, engine, _token(settings, factories.next_id())) == refusal


def test_an_offer_without_terms_is_not_ready(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine, OfferState.NEEDS_DATA)
    refusal = _refusal(settings, engine, _token(settings, offer.workflow_id))
    assert refusal == "This offer is not ready yet. Please try again later."


def test_forged_and_expired_links_get_their_own_reasons(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine)
    expired = _token(settings, offer.workflow_id, now=time.time() - 2 * HOUR)
    assert _refusal(settings, engine, expired) == "This link has expired. Please ask your recruiter for a new one."
    forged = issue_token("k" * 48, audience=Audience.PORTAL, workflow_id=offer.workflow_id, ttl_seconds=HOUR)
    assert _refusal(settings, engine, forged) == "This link is not valid. Please use the link your recruiter sent you."


def test_a_link_of_an_older_generation_is_replaced(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine)
    with session_scope(engine) as session:
        generation = access.rotate(session, offer.customer_id, offer.workflow_id, factories.recruiter())
    old = _token(settings, offer.workflow_id)
    assert _refusal(settings, engine, old) == (
        "This link has been replaced by a newer one. Please use the latest link from your recruiter."
    )
    assert _sign_in(settings, engine, _token(settings, offer.workflow_id, generation=generation)).generation == 1


def test_a_revoked_link_is_turned_off(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine)
    with session_scope(engine) as session:
        access.revoke(session, offer.customer_id, offer.workflow_id, factories.recruiter())
    refusal = _refusal(settings, engine, _token(settings, offer.workflow_id))
    assert refusal == "This link has been turned off. Please contact your recruiter."


def test_a_one_time_link_opens_once_and_a_plain_link_again_and_again(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine)
    once = _token(settings, offer.workflow_id, one_time=True)
    _sign_in(settings, engine, once)
    assert _refusal(settings, engine, once) == (
        "This one-time link has already been used. Please ask your recruiter for a new one."
    )
    plain = _token(settings, offer.workflow_id)
    assert _sign_in(settings, engine, plain).offer_id == _sign_in(settings, engine, plain).offer_id == offer.id


def test_the_recheck_passes_a_current_identity_and_refuses_a_replaced_one(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine)
    identity = _sign_in(settings, engine, _token(settings, offer.workflow_id))
    recheck(engine, identity)
    with session_scope(engine) as session:
        access.rotate(session, offer.customer_id, offer.workflow_id, factories.recruiter())
    with pytest.raises(AccessDeniedError, match="replaced"):
        recheck(engine, identity)


def test_the_recheck_refuses_a_workflow_or_a_customer_that_is_not_the_offers(
    settings: Settings, engine: Engine
) -> None:
    offer, other = _offer(engine), _offer(engine)
    identity = _sign_in(settings, engine, _token(settings, offer.workflow_id))
    with pytest.raises(AccessDeniedError, match="does not match"):
        recheck(engine, identity.model_copy(update={"offer_id": other.id}))  # same customer, other workflow
    with session_scope(engine) as session:
        access.current_generation(session, offer.customer_id + 1, offer.workflow_id)  # that tenant's access row
    with pytest.raises(AccessDeniedError, match="does not match"):
        recheck(engine, identity.model_copy(update={"customer_id": offer.customer_id + 1}))  # same workflow


def test_the_recheck_refuses_a_closed_offer(settings: Settings, engine: Engine) -> None:
    offer = _offer(engine)
    identity = _sign_in(settings, engine, _token(settings, offer.workflow_id))
    with session_scope(engine) as session:
        offers.withdraw(session, offers.get_offer(session, offer.id or 0), actor=factories.recruiter(), reason="test")
    with pytest.raises(AccessDeniedError, match="the offer is withdrawn"):
        recheck(engine, identity)
