"""Messages from the recruiter to the candidate's chat: stored here, shown on the candidate's next visit.

The candidate's chat reads `pending_messages_for(session, workflow_id)` when a session starts (or polls it while
connected) and calls `mark_seen` once they are shown. Only recruiters (and admins) post; the text is what the
recruiter wrote, possibly starting from `suggested_reply`, whose template version is kept with the message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Text
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit
from offer_engine.actors import Actor, ActorKind, Role
from offer_engine.catalogue import BUILTIN_BY_KEY, Catalogue, staff_label
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.compensation import SuggestedResponse
from offer_engine.errors import IllegalTransitionError, InvalidInputError, PermissionDeniedError
from offer_engine.letters.values import format_term
from offer_engine.money import locale_for
from offer_engine.notify_events import notify_recruiter_reply
from offer_engine.offers import CLOSED_STATES, Offer, find_open_offer, get_offer
from offer_engine.terms import OfferTerms
from prompts import load_prompt

MAX_MESSAGE_CHARS = 4000


class CandidateMessage(SQLModel, table=True):
    __tablename__ = "candidate_messages"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int
    workflow_id: int = Field(index=True)
    offer_id: int = Field(foreign_key="offers.id", index=True)
    author_id: str
    author_name: str
    body: str = Field(sa_type=Text, nullable=False)
    template_ref: str | None = None  # e.g. counter_reply@2/en when the recruiter started from a suggestion
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def post_message(
    session: Session,
    offer_id: int,
    body: str,
    *,
    actor: Actor,
    author_name: str,
    template_ref: str | None = None,
    now: datetime | None = None,
) -> CandidateMessage:
    """Queue a recruiter's message for the candidate of an open offer."""
    actor.require_role(Role.RECRUITER, action="message a candidate")
    text = body.strip()
    if not text:
        raise InvalidInputError("the message is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInputError(f"the message is longer than {MAX_MESSAGE_CHARS} characters")
    offer = get_offer(session, offer_id)
    if offer.status in CLOSED_STATES:
        raise IllegalTransitionError(f"offer {offer.id}", offer.state, "message the candidate", "the offer is closed")
    moment = now or utcnow()
    message = CandidateMessage(
        customer_id=offer.customer_id,
        workflow_id=offer.workflow_id,
        offer_id=offer_id,
        author_id=actor.id,
        author_name=author_name,
        body=text,
        template_ref=template_ref,
        created_at=moment,
    )
    session.add(message)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="candidate_message.posted",
        subject_type="candidate_message",
        subject_id=message.id or 0,
        icims=offer.icims_ids,
        prompt_version=template_ref,
        output_hash=audit.sha256_of(text),
        details={"offer_id": offer_id},
        occurred_at=moment,
    )
    notify_recruiter_reply(session, offer, message.id or 0, actor=actor, now=moment)
    return message


def pending_messages_for(
    session: Session, workflow_id: int, *, customer_id: int | None = None
) -> list[CandidateMessage]:
    """Unseen messages for the candidate of the workflow's open offer, oldest first."""
    statement = select(CandidateMessage).where(
        CandidateMessage.workflow_id == workflow_id, col(CandidateMessage.seen_at).is_(None)
    )
    if customer_id is not None:
        statement = statement.where(CandidateMessage.customer_id == customer_id)
        offer = find_open_offer(session, customer_id, workflow_id)
        if offer is None:
            return []
        statement = statement.where(CandidateMessage.offer_id == offer.id)
    return list(session.exec(statement.order_by(col(CandidateMessage.id))))


def messages_for_offer(session: Session, offer_id: int) -> list[CandidateMessage]:
    statement = select(CandidateMessage).where(CandidateMessage.offer_id == offer_id)
    return list(session.exec(statement.order_by(col(CandidateMessage.id))))


def mark_seen(
    session: Session, offer: Offer, message_ids: list[int], *, actor: Actor, now: datetime | None = None
) -> int:
    """The candidate was shown these messages; returns how many were newly marked."""
    if actor.kind is ActorKind.CANDIDATE and str(offer.person_id) != actor.id:
        raise PermissionDeniedError("a candidate may only read their own messages")
    moment = now or utcnow()
    marked = 0
    for message in session.exec(
        select(CandidateMessage).where(
            col(CandidateMessage.id).in_(message_ids),
            CandidateMessage.offer_id == offer.id,
            col(CandidateMessage.seen_at).is_(None),
        )
    ):
        message.seen_at = moment
        session.add(message)
        marked += 1
    session.flush()
    return marked


def suggested_reply(
    suggestion: SuggestedResponse,
    terms: OfferTerms,
    *,
    requested_terms: list[str],
    first_name: str,
    recruiter_name: str,
    language: str = "en",
    catalogue: Catalogue | None = None,
) -> tuple[str, str]:
    """A reply for the recruiter to start from (text, template ref).

    Nothing is approved when it is offered: it proposes the suggested values and says who must still approve them.
    """
    locale = locale_for(terms.jurisdiction)
    prompt = load_prompt("counter_reply", language)
    granted = [
        f"{_capitalised(_label(name, prompt.language, catalogue))}: {_shown(name, value, terms, locale)}"
        for name, value in suggestion.values.items()
    ]
    declined = [_label(t, prompt.language, catalogue) for t in requested_terms if t not in suggestion.values]
    text = prompt.render(
        first_name=first_name or "there",
        kind=suggestion.kind,
        granted=granted,
        declined=declined,
        recruiter_name=recruiter_name,
        approvers=[step.approver_role for step in suggestion.approval_preview],
    )
    return text, prompt.ref


def _label(key: str, language: str, catalogue: Catalogue | None) -> str:
    """The term's label in the reply's language (English running text: `staff_label`)."""
    term = (catalogue.get(key) if catalogue else None) or BUILTIN_BY_KEY.get(key)
    if language == "en" or term is None:
        return staff_label(key, catalogue)
    return term.label(language)


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


def _shown(name: str, value: Any, terms: OfferTerms, locale: str) -> str:
    return format_term(name, value, terms.currency, locale) or str(value)
