"""Stored letters: what `offer_engine.letters` rendered for a version, its compliance report and the PDF.

A letter belongs to exactly one version. Only a letter whose compliance check passed can enter approval or
be sent; a version may get several letters (re-rendered after a template fix), the latest one counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import JSON, LargeBinary, Text
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit
from offer_engine.actors import Actor
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.errors import ComplianceFailedError, NotFoundError, StaleVersionError

if TYPE_CHECKING:
    from offer_engine.offers import Offer
    from offer_engine.versions import OfferVersion


class RenderedLetterLike(Protocol):
    """`offer_engine.letters.RenderedLetter` as this module needs it."""

    @property
    def html(self) -> str: ...
    @property
    def template_id(self) -> str: ...
    @property
    def clause_ids(self) -> list[str]: ...
    @property
    def narrative(self) -> str: ...
    @property
    def narrative_source(self) -> dict[str, Any]: ...


class FindingLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def clause_id(self) -> str | None: ...
    @property
    def message(self) -> str: ...


class ComplianceReportLike(Protocol):
    @property
    def passed(self) -> bool: ...
    @property
    def findings(self) -> Sequence[FindingLike]: ...


class Letter(SQLModel, table=True):
    __tablename__ = "letters"

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offers.id", index=True)
    version_id: int = Field(foreign_key="offer_versions.id", index=True)
    version_number: int
    template_id: str
    clause_ids: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    narrative: str = Field(sa_type=Text, nullable=False)
    narrative_source: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    html: str = Field(sa_type=Text, nullable=False)
    html_sha256: str
    compliance_passed: bool
    compliance_findings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON, nullable=False)
    checked_on: date
    pdf: bytes | None = Field(default=None, sa_type=LargeBinary)
    pdf_sha256: str | None = None
    created_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)

    @property
    def file_name(self) -> str:
        return f"offer-{self.offer_id}-v{self.version_number}-letter-{self.id}.pdf"


def findings_json(report: ComplianceReportLike) -> list[dict[str, Any]]:
    return [{"code": f.code, "clause_id": f.clause_id, "message": f.message} for f in report.findings]


def save_letter(
    session: Session,
    *,
    offer: Offer,
    version: OfferVersion,
    rendered: RenderedLetterLike,
    report: ComplianceReportLike,
    pdf: bytes | None,
    checked_on: date,
    actor: Actor,
    now: datetime | None = None,
) -> Letter:
    """Store a rendered, checked letter of the offer's current version; audited as an AI-assisted action."""
    if version.offer_id != offer.id or version.number != offer.current_version_number:
        raise StaleVersionError(
            f"version {version.number} is not the current version ({offer.current_version_number}) of offer {offer.id}"
        )
    letter = Letter(
        offer_id=version.offer_id,
        version_id=version.id or 0,
        version_number=version.number,
        template_id=rendered.template_id,
        clause_ids=list(rendered.clause_ids),
        narrative=rendered.narrative,
        narrative_source=dict(rendered.narrative_source),
        html=rendered.html,
        html_sha256=audit.sha256_of(rendered.html),
        compliance_passed=report.passed,
        compliance_findings=findings_json(report),
        checked_on=checked_on,
        pdf=pdf,
        pdf_sha256=audit.sha256_of(pdf) if pdf is not None else None,
        created_by=actor.label,
        created_at=now or utcnow(),
    )
    session.add(letter)
    session.flush()
    source = letter.narrative_source
    audit.record(
        session,
        actor=actor,
        action="letter.rendered",
        subject_type="letter",
        subject_id=letter.id or 0,
        icims=offer.icims_ids,
        model=_text(source.get("model") or source.get("provider")),
        prompt_version=_text(source.get("prompt_version") or source.get("prompt")),
        input_hash=audit.sha256_of(version.terms),
        output_hash=letter.pdf_sha256 or letter.html_sha256,
        details={
            "offer_id": offer.id,
            "version": version.number,
            "template_id": letter.template_id,
            "clause_ids": letter.clause_ids,
            "compliance_passed": letter.compliance_passed,
            "findings": letter.compliance_findings,
            "narrative_source": source,
        },
        occurred_at=letter.created_at,
    )
    return letter


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def latest_letter(session: Session, version_id: int) -> Letter | None:
    statement = select(Letter).where(Letter.version_id == version_id).order_by(col(Letter.id).desc()).limit(1)
    return session.exec(statement).first()


def get_letter(session: Session, letter_id: int) -> Letter:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise NotFoundError(f"letter {letter_id} does not exist")
    return letter


def require_passing_letter(session: Session, version: OfferVersion) -> Letter:
    """The version's latest letter, which must exist, have passed compliance and have a PDF."""
    letter = latest_letter(session, version.id or 0)
    if letter is None:
        raise ComplianceFailedError(f"version {version.number} has no letter yet: render and check it first")
    if not letter.compliance_passed:
        reasons = "; ".join(f"{f['code']}: {f['message']}" for f in letter.compliance_findings) or "failed"
        raise ComplianceFailedError(f"the letter of version {version.number} failed its compliance check: {reasons}")
    if letter.pdf is None:
        raise ComplianceFailedError(f"the letter of version {version.number} has no PDF")
    return letter
