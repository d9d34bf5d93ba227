"""The candidate's electronic signature of their released offer letter: the offer is accepted, not an intent.

Two steps, both bound to the candidate's chat session:

1. `issue_challenge`: the candidate asks to sign. The letter must be the offer's current released one; a
   one-time challenge is stored for (session, offer, letter, the letter PDF's SHA-256), valid for
   `CHALLENGE_TTL`. Only a hash of its token is kept: the token itself stays in the candidate's session.
2. `sign_letter`: the candidate typed their full name and confirmed. The challenge is consumed (a conditional
   UPDATE: of two racing confirmations exactly one signs), the signature page is appended to the released PDF
   (`offer_engine.letters.signature_page`) and stored as a new letter of the same version (the latest letter
   of a version counts, so the signed one is what the chat and review mode show from then on), the offer is
   accepted, the signed PDF and the tenant's accepted status go to iCIMS through the outbox (the PDF first),
   open acceptance intents are resolved, and everything is audited in the same transaction.

Every refusal raises `SignatureRefusedError` with a typed `SignatureRefusal` and stores nothing (the caller's
transaction rolls back): a letter that is not the current released one (withdrawn, expired, superseded by a
newer letter or version, not released yet, already signed), a foreign or unknown session, a used or stale
challenge, and a typed name that does not match the offer's.

The typed name matches when it equals the candidate's full name on the offer after folding case, accents
(é = e, ß = ss), whitespace and the punctuation `. , ' ’ -`; a first name alone, initials or another name do
not match. On a mismatch the candidate is told so and may type it again with the same challenge while it lasts.

A signed letter, and the released letter it signs, can no longer be changed or deleted: the ORM refuses it here
and database triggers refuse it underneath (migration 0011). A new version of the terms needs a new letter, a
new release and a new signature (an accepted offer takes no new version at all: see `versions.add_version`).
Declining stays an intent a recruiter confirms (`candidate_requests`).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Index, delete, event, update
from sqlalchemy.orm import Mapper
from sqlmodel import Field, Session, SQLModel, col, select

from icims.mapping import TenantMapping
from offer_engine import audit, candidate_requests, lifecycle, offers
from offer_engine.actors import Actor, candidate_actor
from offer_engine.candidate_requests import RequestKind, RequestState
from offer_engine.columns import UTCDateTime, as_utc, utcnow
from offer_engine.errors import DomainError
from offer_engine.letter_store import Letter, latest_letter
from offer_engine.letters.signature_page import SignatureFacts, signed_pdf
from offer_engine.notify_events import notify_letter_signed
from offer_engine.offers import Offer, OfferState
from offer_engine.outbox import JobKind, SyncJob, enqueue
from offer_engine.release import link_expiry
from offer_engine.versions import current_version

CHALLENGE_TTL = timedelta(minutes=10)
MAX_NAME_CHARS = 200
# An offer back in these states after the candidate reviewed its letter got new terms: that letter is superseded.
_REPLACEABLE = (
    OfferState.NEEDS_DATA,
    OfferState.DRAFT,
    OfferState.IN_REVIEW,
    OfferState.PENDING_APPROVAL,
    OfferState.APPROVED,
)


class SignatureRefusal(StrEnum):
    """Why a signature (or a request to sign) was refused; the chat words each one for the candidate."""

    NOT_YOUR_OFFER = "not_your_offer"
    NOT_RELEASED = "not_released"  # no released letter to sign (a draft, or not sent yet)
    WITHDRAWN = "withdrawn"  # the offer was withdrawn or declined
    EXPIRED = "expired"
    SUPERSEDED = "superseded"  # a newer letter or version replaced the one the candidate reviewed
    ALREADY_SIGNED = "already_signed"
    CHALLENGE_INVALID = "challenge_invalid"  # unknown, or issued to another session or offer
    CHALLENGE_USED = "challenge_used"
    CHALLENGE_EXPIRED = "challenge_expired"
    NAME_MISSING = "name_missing"
    NAME_MISMATCH = "name_mismatch"
    NO_NAME_ON_OFFER = "no_name_on_offer"


class SignatureRefusedError(DomainError):
    code = "signature_refused"

    def __init__(self, reason: SignatureRefusal, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason


class SignatureChallenge(SQLModel, table=True):
    """A one-time permission to sign one letter from one chat session, valid for a few minutes."""

    __tablename__ = "signature_challenges"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(unique=True, max_length=64)
    session_sha256: str = Field(max_length=64)
    offer_id: int = Field(foreign_key="offers.id", index=True)
    letter_id: int = Field(foreign_key="letters.id")
    letter_sha256: str = Field(max_length=64)
    issued_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    consumed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LetterSignature(SQLModel, table=True):
    """A candidate's signature: the released letter it signs and the signed letter (its PDF) it produced."""

    __tablename__ = "letter_signatures"
    __table_args__ = (Index("ix_letter_signatures_offer", "offer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offers.id")
    version_id: int = Field(foreign_key="offer_versions.id")
    version_number: int
    released_letter_id: int = Field(foreign_key="letters.id", unique=True)  # a letter is signed at most once
    signed_letter_id: int = Field(foreign_key="letters.id", unique=True)
    person_id: int | None = None
    typed_name: str
    candidate_name: str
    signed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    link_id: str | None = None
    ip_address: str | None = None
    channel: str | None = None
    released_pdf_sha256: str = Field(max_length=64)
    signed_pdf_sha256: str = Field(max_length=64)


class SigningSession(BaseModel):
    """Who is signing, from the signed chat session (never from what the candidate typed)."""

    model_config = ConfigDict(frozen=True)

    session_key: str  # the chat session's id: a challenge only works in the session it was issued to
    customer_id: int
    workflow_id: int
    offer_id: int
    person_id: int | None
    link_id: str | None = None
    ip_address: str | None = None
    channel: str | None = None
    language: str | None = None

    @property
    def actor(self) -> Actor:
        return candidate_actor(self.person_id or 0)


class IssuedChallenge(BaseModel):
    model_config = ConfigDict(frozen=True)

    token: str  # kept by the caller's session; only its hash is stored
    letter_id: int
    version_number: int
    letter_sha256: str
    expires_at: datetime


class SignedLetter(BaseModel):
    model_config = ConfigDict(frozen=True)

    signature_id: int
    signed_letter_id: int
    released_letter_id: int
    version_number: int
    signed_pdf_sha256: str
    signed_at: datetime
    jobs: list[int]  # the outbox jobs queued for iCIMS (upload, then status)


# -- names -----------------------------------------------------------------------------------------------------

_PUNCTUATION = re.compile(r"[.,'’`´\-‐‑–]+")


def folded_name(name: str) -> str:
    """A name as compared for signing: no accents, case, punctuation (`. , ' ’ -`) or extra whitespace."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_PUNCTUATION.sub(" ", plain).casefold().split())


def candidate_name(offer: Offer) -> str | None:
    """The candidate's full name on the offer (as drafted from iCIMS), or None."""
    attributes = offer.attributes or {}
    context: dict[str, Any] = attributes.get("letter_context") or {}
    extras: dict[str, Any] = attributes.get("extras") or {}
    name = str(context.get("candidate_name") or extras.get("candidate_name") or "").strip()
    return name or None


def check_typed_name(offer: Offer, typed: str) -> str:
    """The typed name, trimmed, if it matches the offer's; SignatureRefusedError otherwise."""
    text = " ".join(typed.split())
    if not text:
        raise SignatureRefusedError(SignatureRefusal.NAME_MISSING, "no name was typed")
    if len(text) > MAX_NAME_CHARS:
        raise SignatureRefusedError(SignatureRefusal.NAME_MISMATCH, f"the name is longer than {MAX_NAME_CHARS}")
    expected = candidate_name(offer)
    if expected is None:
        raise SignatureRefusedError(SignatureRefusal.NO_NAME_ON_OFFER, f"offer {offer.id} names no candidate")
    if folded_name(text) != folded_name(expected):
        raise SignatureRefusedError(SignatureRefusal.NAME_MISMATCH, "the typed name is not the name on the offer")
    return text


# -- which letter may be signed ----------------------------------------------------------------------------------


def signature_of(session: Session, letter_id: int) -> LetterSignature | None:
    """The signature that signed this letter, or that produced it (None: the letter is not signed)."""
    statement = select(LetterSignature).where(
        (col(LetterSignature.released_letter_id) == letter_id) | (col(LetterSignature.signed_letter_id) == letter_id)
    )
    return session.exec(statement).first()


def signatures_for(session: Session, offer_id: int) -> list[LetterSignature]:
    statement = select(LetterSignature).where(LetterSignature.offer_id == offer_id).order_by(col(LetterSignature.id))
    return list(session.exec(statement))


def _check_signer(offer: Offer, signer: SigningSession) -> None:
    if (offer.customer_id, offer.workflow_id, offer.id) != (signer.customer_id, signer.workflow_id, signer.offer_id):
        raise SignatureRefusedError(SignatureRefusal.NOT_YOUR_OFFER, "the session is for another offer")
    if offer.person_id is None or offer.person_id != signer.person_id:
        raise SignatureRefusedError(SignatureRefusal.NOT_YOUR_OFFER, "only the offer's candidate can sign it")


def _current_letter(session: Session, offer: Offer) -> Letter | None:
    version = current_version(session, offer)
    return latest_letter(session, version.id or 0) if version is not None else None


def signable_letter(session: Session, offer: Offer, signer: SigningSession, now: datetime) -> Letter:
    """The offer's current released letter, if the signer may sign it now; SignatureRefusedError otherwise."""
    _check_signer(offer, signer)
    status = offer.status
    if status in (OfferState.WITHDRAWN, OfferState.DECLINED):
        raise SignatureRefusedError(SignatureRefusal.WITHDRAWN, f"offer {offer.id} is {offer.state}")
    if status is OfferState.ACCEPTED:
        raise SignatureRefusedError(SignatureRefusal.ALREADY_SIGNED, f"offer {offer.id} is already accepted")
    if status is OfferState.EXPIRED:
        raise SignatureRefusedError(SignatureRefusal.EXPIRED, f"offer {offer.id} has expired")
    if status is not OfferState.SENT:
        raise SignatureRefusedError(SignatureRefusal.NOT_RELEASED, f"offer {offer.id} is {offer.state}, not released")
    if link_expiry(session, offer, now=now) <= now:
        raise SignatureRefusedError(SignatureRefusal.EXPIRED, f"offer {offer.id} expired before it was signed")
    letter = _current_letter(session, offer)
    if letter is None or letter.id is None or not letter.compliance_passed or letter.pdf is None:
        raise SignatureRefusedError(SignatureRefusal.NOT_RELEASED, f"offer {offer.id} has no released letter")
    if signature_of(session, letter.id) is not None:
        raise SignatureRefusedError(SignatureRefusal.ALREADY_SIGNED, f"letter {letter.id} is already signed")
    return letter


# -- the two steps ---------------------------------------------------------------------------------------------


def issue_challenge(session: Session, signer: SigningSession, *, now: datetime | None = None) -> IssuedChallenge:
    """Allow this session to sign the offer's current released letter within `CHALLENGE_TTL`."""
    moment = as_utc(now or utcnow())
    offer = offers.get_offer(session, signer.offer_id)
    letter = signable_letter(session, offer, signer, moment)
    token = secrets.token_urlsafe(32)
    challenge = SignatureChallenge(
        token_sha256=audit.sha256_of(token),
        session_sha256=audit.sha256_of(signer.session_key),
        offer_id=offer.id or 0,
        letter_id=letter.id or 0,
        letter_sha256=letter.pdf_sha256 or "",
        issued_at=moment,
        expires_at=moment + CHALLENGE_TTL,
    )
    session.add(challenge)
    session.flush()
    return IssuedChallenge(
        token=token,
        letter_id=challenge.letter_id,
        version_number=letter.version_number,
        letter_sha256=challenge.letter_sha256,
        expires_at=challenge.expires_at,
    )


def sign_letter(
    session: Session,
    signer: SigningSession,
    *,
    challenge_token: str,
    typed_name: str,
    mapping: TenantMapping,
    now: datetime | None = None,
) -> SignedLetter:
    """Sign the letter the challenge was issued for, if it is still the current released one (see the module)."""
    moment = as_utc(now or utcnow())
    offer = offers.get_offer(session, signer.offer_id, lock=True)
    _check_signer(offer, signer)
    challenge = _live_challenge(session, signer, challenge_token, moment)
    current = _current_letter(session, offer)
    reviewed = current is not None and (current.id, current.pdf_sha256) == (
        challenge.letter_id,
        challenge.letter_sha256,
    )
    if not reviewed and offer.status in (OfferState.SENT, *_REPLACEABLE):
        raise SignatureRefusedError(SignatureRefusal.SUPERSEDED, "a newer letter replaced the one reviewed")
    letter = signable_letter(session, offer, signer, moment)
    name = check_typed_name(offer, typed_name)
    _consume(session, challenge, moment)
    signed = _store_signed_letter(session, offer, letter, signer, name, moment)
    jobs = _queue_for_icims(session, offer, signed.letter, mapping, signer.actor, moment)
    _resolve_acceptance_intents(session, offer, signer.actor, moment)
    notify_letter_signed(session, offer, signed.letter, actor=signer.actor, now=moment)
    return SignedLetter(
        signature_id=signed.signature.id or 0,
        signed_letter_id=signed.letter.id or 0,
        released_letter_id=letter.id or 0,
        version_number=letter.version_number,
        signed_pdf_sha256=signed.signature.signed_pdf_sha256,
        signed_at=moment,
        jobs=[job.id or 0 for job in jobs],
    )


def _live_challenge(session: Session, signer: SigningSession, token: str, now: datetime) -> SignatureChallenge:
    found = session.exec(
        select(SignatureChallenge).where(SignatureChallenge.token_sha256 == audit.sha256_of(token))
    ).first()
    if (
        found is None
        or found.session_sha256 != audit.sha256_of(signer.session_key)
        or found.offer_id != signer.offer_id
    ):
        raise SignatureRefusedError(SignatureRefusal.CHALLENGE_INVALID, "no such signing request in this session")
    if found.consumed_at is not None:
        raise SignatureRefusedError(SignatureRefusal.CHALLENGE_USED, "this signing request was already used")
    if as_utc(found.expires_at) <= now:
        raise SignatureRefusedError(SignatureRefusal.CHALLENGE_EXPIRED, "this signing request has expired")
    return found


def _consume(session: Session, challenge: SignatureChallenge, now: datetime) -> None:
    result = session.execute(
        update(SignatureChallenge)
        .where(col(SignatureChallenge.id) == challenge.id, col(SignatureChallenge.consumed_at).is_(None))
        .values(consumed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise SignatureRefusedError(SignatureRefusal.CHALLENGE_USED, "this signing request was already used")


def expired_challenges_waiting(session: Session, *, now: datetime | None = None) -> bool:
    """Whether any challenge has expired (a read: an idle worker writes nothing)."""
    moment = now or utcnow()
    statement = select(SignatureChallenge.id).where(col(SignatureChallenge.expires_at) <= moment)
    return session.exec(statement.limit(1)).first() is not None


def purge_expired_challenges(session: Session, *, now: datetime | None = None) -> int:
    """Delete every challenge past its expiry, used or not: it can sign nothing any more, and the signature's
    own record and audit event keep what a used one proved. Returns how many were deleted."""
    moment = now or utcnow()
    result = session.execute(
        delete(SignatureChallenge)
        .where(col(SignatureChallenge.expires_at) <= moment)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


class _Stored(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    letter: Letter
    signature: LetterSignature


def _store_signed_letter(
    session: Session, offer: Offer, released: Letter, signer: SigningSession, typed_name: str, now: datetime
) -> _Stored:
    assert released.pdf is not None
    assert released.pdf_sha256 is not None
    expected = candidate_name(offer) or typed_name
    facts = SignatureFacts(
        typed_name=typed_name,
        candidate_name=expected,
        signed_at=now,
        version_number=released.version_number,
        released_on=as_utc(offer.sent_at).date() if offer.sent_at else None,
        link_id=signer.link_id,
        ip_address=signer.ip_address,
        letter_sha256=released.pdf_sha256,
        language=_letter_language(offer),
    )
    pdf = signed_pdf(released.pdf, facts)
    signed = Letter(
        offer_id=released.offer_id,
        version_id=released.version_id,
        version_number=released.version_number,
        template_id=released.template_id,
        clause_ids=list(released.clause_ids),
        narrative=released.narrative,
        narrative_source=dict(released.narrative_source),
        html=released.html,
        html_sha256=released.html_sha256,
        compliance_passed=released.compliance_passed,
        compliance_findings=list(released.compliance_findings),
        checked_on=released.checked_on,
        pdf=pdf,
        pdf_sha256=audit.sha256_of(pdf),
        created_by=signer.actor.label,
        created_at=now,
    )
    session.add(signed)
    session.flush()
    signature = LetterSignature(
        offer_id=offer.id or 0,
        version_id=released.version_id,
        version_number=released.version_number,
        released_letter_id=released.id or 0,
        signed_letter_id=signed.id or 0,
        person_id=offer.person_id,
        typed_name=typed_name,
        candidate_name=expected,
        signed_at=now,
        link_id=signer.link_id,
        ip_address=signer.ip_address,
        channel=signer.channel,
        released_pdf_sha256=released.pdf_sha256,
        signed_pdf_sha256=signed.pdf_sha256 or "",
    )
    session.add(signature)
    session.flush()
    audit.record(
        session,
        actor=signer.actor,
        action="letter.signed",
        subject_type="letter",
        subject_id=signed.id or 0,
        icims=offer.icims_ids,
        input_hash=released.pdf_sha256,
        output_hash=signed.pdf_sha256,
        details={
            "offer_id": offer.id,
            "version": released.version_number,
            "released_letter_id": released.id,
            "signature_id": signature.id,
            "typed_name": typed_name,
            "candidate_name": expected,
            "link_id": signer.link_id,
            "ip_address": signer.ip_address,
            "channel": signer.channel,
        },
        occurred_at=now,
    )
    return _Stored(letter=signed, signature=signature)


def signed_file_name(letter: Letter) -> str:
    return letter.file_name.removesuffix(".pdf") + "-signed.pdf"


def _queue_for_icims(
    session: Session, offer: Offer, signed: Letter, mapping: TenantMapping, actor: Actor, now: datetime
) -> list[SyncJob]:
    """The signed PDF to the letter field, then the acceptance (the workflow's jobs go out in this order)."""
    jobs: list[SyncJob] = []
    if mapping.letter_file_field:
        group = f"letter:{signed.id}:signed"
        jobs.append(
            enqueue(
                session,
                kind=JobKind.UPLOAD_LETTER,
                idempotency_key=f"{group}:upload",
                group_key=group,
                customer_id=offer.customer_id,
                workflow_id=offer.workflow_id,
                offer_id=offer.id,
                letter_id=signed.id,
                payload={
                    "field": mapping.letter_file_field,
                    "file_name": signed_file_name(signed),
                    "sha256": signed.pdf_sha256,
                },
                actor=actor,
                now=now,
            )
        )
    before = {job.id for job in _status_jobs(session, offer)}
    note = f"the candidate signed letter version {signed.version_number} in the chat"
    details = {"signed_letter_id": signed.id, "source": "signature"}
    lifecycle.answer_offer(
        session, offer.id or 0, mapping, accepted=True, actor=actor, note=note, details=details, now=now
    )
    jobs += [job for job in _status_jobs(session, offer) if job.id not in before]
    return jobs


def _status_jobs(session: Session, offer: Offer) -> list[SyncJob]:
    statement = select(SyncJob).where(SyncJob.offer_id == offer.id, SyncJob.kind == JobKind.SET_STATUS.value)
    return list(session.exec(statement))


def _resolve_acceptance_intents(session: Session, offer: Offer, actor: Actor, now: datetime) -> None:
    """An acceptance intent waiting for a recruiter is done: the candidate signed (a decline intent stays)."""
    note = "the candidate signed the letter in the chat"
    for request in candidate_requests.requests_for(session, offer.id or 0):
        if request.kind != RequestKind.ACCEPT_INTENT.value or request.state == RequestState.RESOLVED.value:
            continue
        request.state, request.resolved_by, request.resolved_at = RequestState.RESOLVED.value, actor.id, now
        request.resolution_note = note
        session.add(request)
        audit.record(
            session,
            actor=actor,
            action="candidate_request.resolved",
            subject_type="candidate_request",
            subject_id=request.id or 0,
            icims=offer.icims_ids,
            details={"offer_id": offer.id, "kind": request.kind, "note": note, "automatic": True},
            occurred_at=now,
        )
    session.flush()


def _letter_language(offer: Offer) -> str:
    context: dict[str, Any] = (offer.attributes or {}).get("letter_context") or {}
    return str(context.get("language") or "en")


# -- a signed letter cannot change --------------------------------------------------------------------------------


class SignedLetterImmutableError(DomainError):
    code = "signed_letter_immutable"


@event.listens_for(Letter, "before_update")
def _refuse_signed_update(_mapper: Mapper[Any], connection: Any, target: Letter) -> None:
    if target.id is not None and _is_signed(connection, target.id):
        raise SignedLetterImmutableError(f"letter {target.id} is signed and cannot be changed")


@event.listens_for(Letter, "before_delete")
def _refuse_signed_delete(_mapper: Mapper[Any], connection: Any, target: Letter) -> None:
    if target.id is not None and _is_signed(connection, target.id):
        raise SignedLetterImmutableError(f"letter {target.id} is signed and cannot be deleted")


def _is_signed(connection: Any, letter_id: int) -> bool:
    table = LetterSignature.__table__  # type: ignore[attr-defined]
    statement = (
        select(table.c.id)
        .where((table.c.released_letter_id == letter_id) | (table.c.signed_letter_id == letter_id))
        .limit(1)
    )
    return connection.execute(statement).first() is not None
