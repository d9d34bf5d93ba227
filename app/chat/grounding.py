"""What one candidate's answers may be grounded in: their offer's current version and the people on it.

Only the candidate's own offer is read, by the id in the signed identity. Internal data kept on the offer
(the job's salary band, compliance findings, approval state) is never copied into the grounding.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from app.ai.models import CounterStatus, Person
from app.chat.contacts import ContactBook, NoContacts
from app.chat.counter_status import counter_statuses
from app.chat.identity import CandidateIdentity
from offer_engine.access import AccessDeniedError
from offer_engine.letter_store import Letter, get_letter
from offer_engine.offers import CLOSED_STATES, OfferState, get_offer
from offer_engine.terms import OfferTerms
from offer_engine.versions import require_current_version

# The candidate sees a letter only once a recruiter has released the approved offer to them (`sent`), and
# after they accepted it. A draft, or an approved letter not yet released, is internal: it may still change.
_RELEASED_STATES = frozenset({OfferState.SENT, OfferState.ACCEPTED})
# What the chat needs to know about a letter: not its PDF, HTML or narrative (read only when it is shown).
_LETTER_COLUMNS: tuple[Any, ...] = (
    Letter.id, Letter.offer_id, Letter.version_number, Letter.compliance_passed, Letter.pdf_sha256,
)  # fmt: skip


class LetterInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    letter_id: int
    file_name: str
    version_number: int


class Grounding(BaseModel):
    """The candidate's offer as the answer pipeline sees it."""

    model_config = ConfigDict(frozen=True)

    offer_id: int
    workflow_id: int
    person_id: int | None
    state: str
    icims_ids: dict[str, int | None]
    version_id: int
    version_number: int
    terms: OfferTerms
    fact_refs: dict[str, str]
    candidate: Person
    recruiter: Person | None = None
    hiring_manager: Person | None = None
    language_hint: str | None = None
    letter: LetterInfo | None = None
    counters: list[CounterStatus] = []  # the candidate's own counter-offers on this offer

    @property
    def offer_title(self) -> str:
        return f"Your offer: {self.terms.title} (version {self.version_number})"


def load_grounding(session: Session, identity: CandidateIdentity, contacts: ContactBook | None = None) -> Grounding:
    """The grounding of the identity's offer; AccessDeniedError if the offer is closed or not the identity's."""
    offer = get_offer(session, identity.offer_id)
    if offer.workflow_id != identity.workflow_id or offer.customer_id != identity.customer_id:
        raise AccessDeniedError("the session does not match this offer")
    if offer.status in CLOSED_STATES:
        raise AccessDeniedError(f"the offer is {offer.state}")
    version = require_current_version(session, offer)
    attributes = offer.attributes or {}
    context: dict[str, Any] = attributes.get("letter_context") or {}
    extras: dict[str, Any] = attributes.get("extras") or {}
    sources: dict[str, Any] = attributes.get("sources") or {}
    contact = (contacts or NoContacts()).recruiter(job_id=offer.job_id, workflow_id=offer.workflow_id)
    letter = _released_letter(session, version.id or 0, offer.status)
    return Grounding(
        offer_id=identity.offer_id,
        workflow_id=offer.workflow_id,
        person_id=offer.person_id,
        state=offer.state,
        icims_ids=offer.icims_ids,
        version_id=version.id or 0,
        version_number=version.number,
        terms=version.offer_terms,
        fact_refs={name: str(ref) for name, ref in sources.items()},
        candidate=Person(
            role="candidate",
            full_name=_text(context.get("candidate_name") or extras.get("candidate_name")),
            first_name=_text(context.get("candidate_first_name")),
            addresses=[str(line) for line in context.get("candidate_address") or []],
        ),
        recruiter=_staff("recruiter", context.get("recruiter_name") or extras.get("recruiter"), contact),
        hiring_manager=_staff("hiring_manager", context.get("manager_name"), None),
        language_hint=_text(context.get("language")),
        letter=letter,
        counters=counter_statuses(session, offer, version.id or 0),
    )


def _staff(role: str, name: object, contact: Any) -> Person | None:
    full_name = _text(name)
    if full_name is None:
        return None
    emails = list(contact.emails) if contact is not None else []
    phones = list(contact.phones) if contact is not None else []
    return Person(role=role, full_name=full_name, emails=emails, phones=phones)


def _released_letter(session: Session, version_id: int, state: OfferState) -> LetterInfo | None:
    """The current version's letter if it was released to the candidate (its PDF bytes are not loaded here)."""
    if state not in _RELEASED_STATES:
        return None
    statement = (
        select(Letter)
        .options(load_only(*_LETTER_COLUMNS))
        .where(Letter.version_id == version_id)
        .order_by(col(Letter.id).desc())
        .limit(1)
    )  # the latest letter of a version counts, as in offer_engine.letter_store.latest_letter
    letter = session.exec(statement).first()
    if letter is None or letter.id is None or not letter.compliance_passed or letter.pdf_sha256 is None:
        return None
    return LetterInfo(letter_id=letter.id, file_name=letter.file_name, version_number=letter.version_number)


def letter_pdf(session: Session, identity: CandidateIdentity, letter_id: int) -> bytes:
    """The PDF of one of the identity's own letters (AccessDeniedError for anyone else's)."""
    letter = get_letter(session, letter_id)
    if letter.offer_id != identity.offer_id or letter.pdf is None:
        raise AccessDeniedError("that letter is not available in this chat")
    return letter.pdf


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None
