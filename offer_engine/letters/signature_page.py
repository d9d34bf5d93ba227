"""The page a candidate's electronic signature adds to their released letter, and the signed PDF it makes.

The page states who signed (the typed name and the name on the offer), when (UTC), through which chat link and
from which address, and the SHA-256 of the letter PDF exactly as it was released: anyone can recompute that hash
from the released PDF (the signed PDF's first pages are that PDF, unchanged) and compare. The page is printed on
the letter's own paper size, in the letter's language (English, Spanish or German).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel, ConfigDict
from pypdf import PdfReader, PdfWriter

from offer_engine.letters.pdf import html_to_pdf
from offer_engine.policy import BUILTIN_TEMPLATES

TEMPLATE = "signature_page.html.j2"
_POINTS_PER_MM = Decimal("72") / Decimal("25.4")
_A4_MM = (Decimal(210), Decimal(297))

_env = Environment(
    loader=FileSystemLoader(BUILTIN_TEMPLATES),
    autoescape=select_autoescape(["html", "j2"]),  # the typed name is the candidate's text
    undefined=StrictUndefined,
)

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Electronic signature",
        "lead": "The candidate reviewed the offer letter on the previous pages and signed it electronically.",
        "signed_by": "Signature (typed name)",
        "signer": "Signed by",
        "name_on_offer": "Name on the offer",
        "signed_at": "Signed at (UTC)",
        "letter": "Letter",
        "link": "Personal chat link",
        "address": "Network address",
        "digest": "SHA-256 of the letter as released",
        "note": "The pages before this one are the released letter, unchanged: their PDF hashes to the value above.",
        "version": "version",
        "offer_letter": "Offer letter",
        "released": "released",
    },
    "es": {
        "title": "Firma electrónica",
        "lead": "La persona candidata revisó la carta de oferta de las páginas anteriores y la firmó electrónicamente.",
        "signed_by": "Firma (nombre escrito)",
        "signer": "Firmado por",
        "name_on_offer": "Nombre en la oferta",
        "signed_at": "Fecha y hora de la firma (UTC)",
        "letter": "Carta",
        "link": "Enlace personal del chat",
        "address": "Dirección de red",
        "digest": "SHA-256 de la carta tal como se entregó",
        "note": "Las páginas anteriores son la carta entregada, sin cambios: su PDF tiene el hash indicado arriba.",
        "version": "versión",
        "offer_letter": "Carta de oferta",
        "released": "entregada el",
    },
    "de": {
        "title": "Elektronische Unterschrift",
        "lead": "Die Kandidatin bzw. der Kandidat hat das Angebotsschreiben auf den vorigen Seiten geprüft und "
        "elektronisch unterschrieben.",
        "signed_by": "Unterschrift (eingegebener Name)",
        "signer": "Unterschrieben von",
        "name_on_offer": "Name im Angebot",
        "signed_at": "Unterschrieben am (UTC)",
        "letter": "Schreiben",
        "link": "Persönlicher Chat-Link",
        "address": "Netzwerkadresse",
        "digest": "SHA-256 des Schreibens wie übermittelt",
        "note": "Die Seiten vor dieser sind das übermittelte Schreiben, unverändert: sein PDF hat den obigen Hashwert.",
        "version": "Version",
        "offer_letter": "Angebotsschreiben",
        "released": "übermittelt am",
    },
}


class SignatureFacts(BaseModel):
    """What the signature page says (all of it is also stored on the signature row)."""

    model_config = ConfigDict(frozen=True)

    typed_name: str
    candidate_name: str
    signed_at: datetime
    version_number: int
    released_on: date | None  # when the letter was released to the candidate
    link_id: str | None
    ip_address: str | None
    letter_sha256: str
    language: str = "en"


def page_language(language: str | None) -> str:
    code = (language or "").strip().lower()[:2]
    return code if code in LABELS else "en"


def render_signature_page(facts: SignatureFacts, *, page_mm: tuple[Decimal, Decimal] = _A4_MM) -> bytes:
    """The signature page as a one-page PDF of the given paper size (width, height in mm)."""
    language = page_language(facts.language)
    labels = LABELS[language]
    html = _env.get_template(TEMPLATE).render(
        t=labels,
        language=language,
        page_width_mm=page_mm[0],
        page_height_mm=page_mm[1],
        typed_name=facts.typed_name,
        candidate_name=facts.candidate_name,
        signed_at=facts.signed_at.strftime("%Y-%m-%d %H:%M:%S"),
        letter_label=_letter_label(facts, labels),
        link_id=facts.link_id or "—",
        ip_address=facts.ip_address or "—",
        letter_sha256=facts.letter_sha256,
    )
    return html_to_pdf(html)


def _letter_label(facts: SignatureFacts, labels: dict[str, str]) -> str:
    label = f"{labels['offer_letter']}, {labels['version']} {facts.version_number}"
    return label + (f", {labels['released']} {facts.released_on.isoformat()}" if facts.released_on else "")


def letter_page_mm(pdf: bytes) -> tuple[Decimal, Decimal]:
    """The paper size of the letter's first page (mm, rounded to 0.1), so the signature page matches it."""
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    width, height = (Decimal(str(float(v))) / _POINTS_PER_MM for v in (box.width, box.height))
    return width.quantize(Decimal("0.1")), height.quantize(Decimal("0.1"))


def signed_pdf(letter_pdf: bytes, facts: SignatureFacts) -> bytes:
    """The released letter's pages, unchanged, followed by the signature page."""
    page = render_signature_page(facts, page_mm=letter_page_mm(letter_pdf))
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(letter_pdf)))
    writer.append(PdfReader(io.BytesIO(page)))
    writer.add_metadata({"/Title": f"Signed offer letter, version {facts.version_number}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
