"""The candidate signs their released letter: the signed PDF, its hash, iCIMS writes, and every refusal."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from functools import cache

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import Settings
from icims.mapping import TenantMapping
from offer_engine import (
    approvals,
    audit,
    candidate_requests,
    letter_store,
    notifications,
    offers,
    outbox,
    signatures,
    staff,
    versions,
)
from offer_engine.actors import Role
from offer_engine.candidate_requests import RequestKind
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.letters.pdf import html_to_pdf
from offer_engine.offers import Offer, OfferState
from offer_engine.outbox import JobKind
from offer_engine.signatures import SignatureRefusal, SignatureRefusedError, SigningSession
from offer_engine.versions import VersionReason
from tests import factories as f
from tests.offer_engine.conftest import Snapshot

NAME = "Sofía Hernández-Ruiz"
SESSION = "chainlit-session-1"


@cache
def letter_pdf() -> bytes:
    return html_to_pdf("<h1>Offer letter</h1><p>We are delighted to offer you the role.</p>")


@pytest.fixture
def mapping(settings: Settings) -> TenantMapping:
    return settings.tenant


def sent_offer(engine: Engine, *, name: str | None = NAME, **terms: object) -> Offer:
    """A released offer whose letter is a real PDF, for a candidate called `name`."""
    with session_scope(engine) as session:
        offer = f.make_offer(session, terms=f.make_terms(**terms))
        offer.attributes = {"letter_context": {"candidate_name": name, "language": "es"}} if name else {}
        session.add(offer)
        f.make_letter(session, offer, pdf=letter_pdf())
        offers.transition(session, offer, OfferState.IN_REVIEW, actor=f.recruiter(), reason="letter ready")
        approvals.start_chain(session, offer, [], actor=f.recruiter())
        offers.mark_sent(session, offer, actor=f.recruiter())
        return offer


def signer(offer: Offer, *, session_key: str = SESSION, person_id: int | None = None) -> SigningSession:
    return SigningSession(
        session_key=session_key,
        customer_id=offer.customer_id,
        workflow_id=offer.workflow_id,
        offer_id=offer.id or 0,
        person_id=offer.person_id if person_id is None else person_id,
        link_id="jti-7f3a",
        ip_address="203.0.113.9",
        channel="portal",
    )


def challenge(engine: Engine, who: SigningSession) -> signatures.IssuedChallenge:
    with session_scope(engine) as session:
        return signatures.issue_challenge(session, who)


def sign(
    engine: Engine, who: SigningSession, token: str, mapping: TenantMapping, typed: str = NAME, **kw: object
) -> signatures.SignedLetter:
    with session_scope(engine) as session:
        return signatures.sign_letter(
            session,
            who,
            challenge_token=token,
            typed_name=typed,
            mapping=mapping,
            **kw,  # type: ignore[arg-type]
        )


def refused(engine: Engine, snapshot: Callable[[Engine], Snapshot], work: Callable[[], object]) -> SignatureRefusal:
    """The refusal `work` raises; the database must be exactly as before."""
    before = snapshot(engine)
    with pytest.raises(SignatureRefusedError) as caught:
        work()
    assert snapshot(engine) == before
    return caught.value.reason


def test_signing_stores_the_signed_pdf_accepts_the_offer_and_queues_pdf_then_status(
    engine: Engine, mapping: TenantMapping
) -> None:
    offer = sent_offer(engine)
    who = signer(offer)
    with session_scope(engine) as session:
        intent = candidate_requests.submit_request(
            session, offer, RequestKind.ACCEPT_INTENT, actor=who.actor, message="I accept!"
        )
    issued = challenge(engine, who)
    result = sign(engine, who, issued.token, mapping, typed="  sofia   HERNANDEZ ruiz ")

    with session_scope(engine) as session:
        stored = offers.get_offer(session, offer.id or 0)
        version = versions.require_current_version(session, stored)
        signed = letter_store.latest_letter(session, version.id or 0)
        released = letter_store.get_letter(session, result.released_letter_id)
        jobs = [j for j in outbox.list_jobs(session) if j.offer_id == offer.id and j.id in result.jobs]
        [event] = [
            e for e in audit.events_for(session, "letter", result.signed_letter_id) if e.action == "letter.signed"
        ]
        request = candidate_requests.get_request(session, intent.id or 0)
        resolved = [e.action for e in audit.events_for(session, "candidate_request", intent.id or 0)]
        [signature] = signatures.signatures_for(session, offer.id or 0)
    assert stored.state == OfferState.ACCEPTED.value
    assert signed is not None
    assert signed.id == result.signed_letter_id
    assert signed.pdf is not None
    assert signed.version_number == released.version_number == 1
    # the signed PDF is verified by its hash, everywhere it is recorded
    digest = audit.sha256_of(signed.pdf)
    assert digest == signed.pdf_sha256 == result.signed_pdf_sha256 == signature.signed_pdf_sha256 == event.output_hash
    assert released.pdf == letter_pdf()
    assert event.input_hash == audit.sha256_of(letter_pdf())
    # its first pages are the released letter, unchanged; the last is the signature page with the evidence
    pages = PdfReader(io.BytesIO(signed.pdf)).pages
    original = PdfReader(io.BytesIO(letter_pdf())).pages
    assert len(pages) == len(original) + 1
    assert [p.extract_text() for p in pages[:-1]] == [p.extract_text() for p in original]
    assert pages[-1].mediabox == original[0].mediabox  # the same paper
    last = " ".join(pages[-1].extract_text().split())
    for expected in ("Firma electrónica", "sofia HERNANDEZ ruiz", NAME, "jti-7f3a", "203.0.113.9"):
        assert expected in last
    assert audit.sha256_of(letter_pdf()) in last.replace(" ", "")
    assert (signature.typed_name, signature.candidate_name) == ("sofia HERNANDEZ ruiz", NAME)
    assert (signature.link_id, signature.ip_address, signature.person_id) == (
        "jti-7f3a",
        "203.0.113.9",
        offer.person_id,
    )
    # iCIMS: the signed PDF first, then the tenant's accepted status
    assert [j.kind for j in sorted(jobs, key=lambda j: j.id or 0)] == [JobKind.UPLOAD_LETTER, JobKind.SET_STATUS]
    upload, status = sorted(jobs, key=lambda j: j.id or 0)
    assert upload.letter_id == signed.id
    assert upload.payload["field"] == mapping.letter_file_field
    assert upload.payload["file_name"].endswith("-signed.pdf")
    assert upload.payload["sha256"] == digest
    assert status.payload == {"status_id": mapping.offer_accepted_status}
    assert request.state == "resolved"
    assert "signed" in (request.resolution_note or "")
    assert resolved[-1] == "candidate_request.resolved"
    assert event.details["typed_name"] == "sofia HERNANDEZ ruiz"
    assert event.details["link_id"] == "jti-7f3a"


def test_signing_tells_the_offers_recruiter_once(engine: Engine, mapping: TenantMapping) -> None:
    with session_scope(engine) as session:
        staff.create_user(
            session,
            username="rita.recruiter",
            display_name="Rita",
            roles=[Role.RECRUITER],
            actor=f.system(),
            email="rita.recruiter@corvid.example",
        )
    offer = sent_offer(engine)
    who = signer(offer)
    result = sign(engine, who, challenge(engine, who).token, mapping)
    with session_scope(engine) as session:
        rows = [
            n
            for n in notifications.list_notifications(session)
            if n.kind == notifications.NotificationKind.LETTER_SIGNED.value
        ]
    assert sorted((n.channel, n.address) for n in rows) == [("email", "rita.recruiter@corvid.example"), ("icims", None)]
    assert all(f"letter:{result.signed_letter_id}:signed" in n.idempotency_key for n in rows)


def test_a_replayed_confirmation_is_refused_and_changes_nothing(
    engine: Engine, mapping: TenantMapping, db_snapshot: Callable[[Engine], Snapshot]
) -> None:
    offer = sent_offer(engine)
    who = signer(offer)
    issued = challenge(engine, who)
    sign(engine, who, issued.token, mapping)
    assert (
        refused(engine, db_snapshot, lambda: sign(engine, who, issued.token, mapping))
        is SignatureRefusal.CHALLENGE_USED
    )


def test_a_stale_challenge_is_refused(
    engine: Engine, mapping: TenantMapping, db_snapshot: Callable[[Engine], Snapshot]
) -> None:
    offer = sent_offer(engine, expiry_date=date.today() + timedelta(days=5))
    who = signer(offer)
    issued = challenge(engine, who)
    late = utcnow() + signatures.CHALLENGE_TTL + timedelta(seconds=1)
    reason = refused(engine, db_snapshot, lambda: sign(engine, who, issued.token, mapping, now=late))
    assert reason is SignatureRefusal.CHALLENGE_EXPIRED


def test_a_challenge_works_only_in_the_session_it_was_issued_to(
    engine: Engine, mapping: TenantMapping, db_snapshot: Callable[[Engine], Snapshot]
) -> None:
    offer = sent_offer(engine)
    issued = challenge(engine, signer(offer))
    other = signer(offer, session_key="another-session")
    assert refused(engine, db_snapshot, lambda: sign(engine, other, issued.token, mapping)) is (
        SignatureRefusal.CHALLENGE_INVALID
    )
    assert refused(engine, db_snapshot, lambda: sign(engine, signer(offer), "made-up", mapping)) is (
        SignatureRefusal.CHALLENGE_INVALID
    )


def test_only_the_offers_candidate_can_sign(
    engine: Engine, mapping: TenantMapping, db_snapshot: Callable[[Engine], Snapshot]
) -> None:
    offer, someone_else = sent_offer(engine), sent_offer(engine)
    intruder = signer(offer, person_id=someone_else.person_id)
    assert refused(engine, db_snapshot, lambda: challenge(engine, intruder)) is SignatureRefusal.NOT_YOUR_OFFER
    issued = challenge(engine, signer(offer))
    assert refused(engine, db_snapshot, lambda: sign(engine, intruder, issued.token, mapping)) is (
        SignatureRefusal.NOT_YOUR_OFFER
    )
    foreign = signer(someone_else).model_copy(update={"offer_id": offer.id})
    assert refused(engine, db_snapshot, lambda: challenge(engine, foreign)) is SignatureRefusal.NOT_YOUR_OFFER


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Sofía", SignatureRefusal.NAME_MISMATCH),  # a first name alone
        ("Sofia Hernandez", SignatureRefusal.NAME_MISMATCH),  # part of the family name missing
        ("Maya Patel", SignatureRefusal.NAME_MISMATCH),
        ("   ", SignatureRefusal.NAME_MISSING),
        ("x" * 500, SignatureRefusal.NAME_MISMATCH),
    ],
)
def test_a_name_that_is_not_the_offers_is_refused_and_the_challenge_stays_usable(
    engine: Engine,
    mapping: TenantMapping,
    db_snapshot: Callable[[Engine], Snapshot],
    typed: str,
    reason: SignatureRefusal,
) -> None:
    offer = sent_offer(engine)
    who = signer(offer)
    issued = challenge(engine, who)
    assert refused(engine, db_snapshot, lambda: sign(engine, who, issued.token, mapping, typed=typed)) is reason
    assert sign(engine, who, issued.token, mapping, typed="SOFIA HERNANDEZ RUIZ").signed_letter_id  # then it works


def test_an_offer_without_a_candidate_name_cannot_be_signed(
    engine: Engine, mapping: TenantMapping, db_snapshot: Callable[[Engine], Snapshot]
) -> None:
    offer = sent_offer(engine, name=None)
    who = signer(offer)
    issued = challenge(engine, who)
    assert refused(engine, db_snapshot, lambda: sign(engine, who, issued.token, mapping, typed="Anyone")) is (
        SignatureRefusal.NO_NAME_ON_OFFER
    )


def _withdraw(session: Session, offer: Offer) -> None:
    offers.withdraw(session, offers.get_offer(session, offer.id or 0), actor=f.recruiter(), reason="req closed")


def _expire(session: Session, offer: Offer) -> None:
    offers.transition(
        session, offers.get_offer(session, offer.id or 0), OfferState.EXPIRED, actor=f.system(), reason="t"
    )


def _new_letter(session: Session, offer: Offer) -> None:
    f.make_letter(session, offers.get_offer(session, offer.id or 0), pdf=letter_pdf() + b"\n% re-rendered\n")


def _new_version(session: Session, offer: Offer) -> None:
    versions.add_version(
        session,
        offers.get_offer(session, offer.id or 0),
        f.make_terms(base_salary=199000),
        actor=f.recruiter(),
        reason_kind=VersionReason.RECRUITER_EDIT,
        reason="raise",
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_withdraw, SignatureRefusal.WITHDRAWN),
        (_expire, SignatureRefusal.EXPIRED),
        (_new_letter, SignatureRefusal.SUPERSEDED),
        (_new_version, SignatureRefusal.SUPERSEDED),
    ],
)
def test_a_letter_that_is_no_longer_the_current_released_one_is_refused_with_the_reason(
    engine: Engine,
    mapping: TenantMapping,
    db_snapshot: Callable[[Engine], Snapshot],
    change: Callable[[Session, Offer], None],
    reason: SignatureRefusal,
) -> None:
    offer = sent_offer(engine)
    who = signer(offer)
    issued = challenge(engine, who)
    with session_scope(engine) as session:
        change(session, offer)
    assert refused(engine, db_snapshot, lambda: sign(engine, who, issued.token, mapping)) is reason


def test_a_letter_past_the_offers_expiry_date_cannot_be_signed_before_the_expiry_worker_runs(
    engine: Engine, mapping: TenantMapping, db_snapshot: Callable[[Engine], Snapshot]
) -> None:
    offer = sent_offer(engine, expiry_date=date.today() + timedelta(days=1))
    who = signer(offer)
    issued = challenge(engine, who)
    later = utcnow() + timedelta(days=2)
    assert refused(engine, db_snapshot, lambda: challenge_at(engine, who, later)) is SignatureRefusal.EXPIRED
    assert refused(engine, db_snapshot, lambda: sign(engine, who, issued.token, mapping, now=later)) in (
        SignatureRefusal.EXPIRED,
        SignatureRefusal.CHALLENGE_EXPIRED,
    )


def challenge_at(engine: Engine, who: SigningSession, now: object) -> signatures.IssuedChallenge:
    with session_scope(engine) as session:
        return signatures.issue_challenge(session, who, now=now)  # type: ignore[arg-type]


def test_an_unreleased_or_signed_letter_gets_no_challenge(
    engine: Engine, mapping: TenantMapping, db_snapshot: Callable[[Engine], Snapshot]
) -> None:
    with session_scope(engine) as session:
        draft = f.make_offer(session, state=OfferState.IN_REVIEW)
    assert refused(engine, db_snapshot, lambda: challenge(engine, signer(draft))) is SignatureRefusal.NOT_RELEASED
    offer = sent_offer(engine)
    sign(engine, signer(offer), challenge(engine, signer(offer)).token, mapping)
    assert refused(engine, db_snapshot, lambda: challenge(engine, signer(offer))) is SignatureRefusal.ALREADY_SIGNED


def test_a_signed_letter_cannot_be_changed_or_deleted(engine: Engine, mapping: TenantMapping) -> None:
    offer = sent_offer(engine)
    result = sign(engine, signer(offer), challenge(engine, signer(offer)).token, mapping)
    with session_scope(engine) as session:
        letter = letter_store.get_letter(session, result.signed_letter_id)
        letter.pdf = b"%PDF-forged"
        session.add(letter)
        with pytest.raises(signatures.SignedLetterImmutableError):
            session.flush()
        session.rollback()
    for letter_id in (result.signed_letter_id, result.released_letter_id):
        for statement in (
            f"UPDATE letters SET pdf_sha256 = 'x' WHERE id = {letter_id}",
            f"DELETE FROM letters WHERE id = {letter_id}",
        ):
            with pytest.raises(Exception, match="signed letter cannot be changed"), engine.begin() as conn:
                conn.execute(text(statement))
    with pytest.raises(Exception, match="signature is permanent"), engine.begin() as conn:
        conn.execute(text("UPDATE letter_signatures SET typed_name = 'someone else'"))
    with session_scope(engine) as session:
        assert letter_store.get_letter(session, result.signed_letter_id).pdf_sha256 == result.signed_pdf_sha256


def test_an_unsigned_letter_stays_changeable(engine: Engine) -> None:
    offer = sent_offer(engine)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE letters SET created_by = 'someone' WHERE offer_id = {offer.id}"))


def test_without_a_letter_field_or_accepted_status_the_offer_is_still_accepted(
    engine: Engine, mapping: TenantMapping
) -> None:
    bare = mapping.model_copy(update={"letter_file_field": None, "offer_accepted_status": None})
    offer = sent_offer(engine)
    result = sign(engine, signer(offer), challenge(engine, signer(offer)).token, bare)
    assert result.jobs == []
    with session_scope(engine) as session:
        assert offers.get_offer(session, offer.id or 0).state == OfferState.ACCEPTED.value


@pytest.mark.parametrize(
    ("typed", "expected", "match"),
    [
        ("josé o'neil", "José O’Neil", True),
        ("Anne-Marie Müller", "anne marie muller", True),
        ("Strauß", "STRAUSS", True),
        ("Jose", "José Luis", False),
    ],
)
def test_names_are_compared_without_case_accents_or_punctuation(typed: str, expected: str, match: bool) -> None:
    assert (signatures.folded_name(typed) == signatures.folded_name(expected)) is match


def test_of_two_racing_confirmations_exactly_one_signs(engine: Engine, mapping: TenantMapping) -> None:
    offer = sent_offer(engine)
    first, second = challenge(engine, signer(offer)), challenge(engine, signer(offer, session_key="tab-2"))
    whos = [signer(offer), signer(offer, session_key="tab-2")]
    start = threading.Barrier(2)

    def attempt(n: int) -> str:
        start.wait()
        try:
            sign(engine, whos[n], (first, second)[n].token, mapping)
        except SignatureRefusedError as exc:
            return exc.reason.value
        return "signed"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(attempt, [0, 1]))
    assert outcomes == [SignatureRefusal.ALREADY_SIGNED.value, "signed"]
    with session_scope(engine) as session:
        assert len(signatures.signatures_for(session, offer.id or 0)) == 1
