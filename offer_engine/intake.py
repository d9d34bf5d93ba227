"""From iCIMS to offer terms: read a workflow bundle through the tenant mapping, never guessing a value.

Each term is read from its mapped fields in order; the first non-empty value wins. A mandatory term with no
value, a term whose first value cannot be read (``"abc"`` as a salary, ``"XYZ"`` as a currency) and a term
the mapping does not name at all are all reported as `MissingTerm`s (with the fields tried and the reason),
and then no terms are produced: the offer waits in ``needs_data`` instead of carrying a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from icims.mapping import FieldRef, TenantMapping
from icims.profiles import WorkflowBundle, read_ref
from icims.values import as_code, as_date, as_decimal, as_int, as_text, currency_of
from offer_engine.catalogue import (
    PAY_PERIOD_WORDS,
    WORK_ARRANGEMENT_WORDS,
    Catalogue,
    TermDefinition,
    TermType,
    build_catalogue,
)
from offer_engine.errors import NotAtOfferStageError
from offer_engine.terms import (
    OfferTerms,
    PayPeriod,
    UnknownCurrencyError,
    WorkArrangement,
    custom_value,
    normalise_currency,
)

MANDATORY_TERMS = ("title", "jurisdiction", "currency", "base_salary", "start_date")
OPTIONAL_TERMS = tuple(
    name for name in OfferTerms.model_fields if name not in (*MANDATORY_TERMS, "custom", "work_arrangement_label")
)  # department, location, pay_period, bonus_target_percent, ... special_terms
EXTRA_KEYS = ("recruiter", "preferred_language", "signer_name", "signer_title")

Coercer = Callable[[object], Any]


class MissingTerm(BaseModel):
    """A term the offer cannot have yet: which iCIMS fields were tried and why nothing was usable."""

    term: str
    tried: list[str]
    reason: Literal["absent", "invalid", "not_mapped"]
    detail: str


class JobBand(BaseModel):
    minimum: Decimal
    maximum: Decimal
    currency: str


class IntakeResult(BaseModel):
    terms: OfferTerms | None
    missing: list[MissingTerm]
    sources: dict[str, str]  # term -> the field it was read from, e.g. "applicantworkflow.field31001"
    extras: dict[str, str]  # recruiter, preferred_language, candidate_name (when present)
    job_band: JobBand | None = None
    band_problem: str | None = None

    @property
    def complete(self) -> bool:
        return self.terms is not None


def ensure_offer_stage(bundle: WorkflowBundle, mapping: TenantMapping) -> None:
    """Raise NotAtOfferStageError unless the workflow's status is one of the mapping's offer-ready ones."""
    status = bundle.workflow.status
    status_id = bundle.workflow.status_id
    if not mapping.is_offer_ready(status_id):
        label = status.label if status is not None else None
        raise NotAtOfferStageError(
            f"applicant workflow {bundle.workflow_id} is at status {status_id!r} ({label or 'no status'}), "
            f"not one of the offer-ready statuses {mapping.offer_ready_statuses}"
        )


def _choice_keys(value: object) -> list[str]:
    """The ways a list value may be named in configuration: its id, its value and its formatted value."""
    if isinstance(value, dict):
        return [str(value[k]) for k in ("id", "value", "formattedvalue") if value.get(k) not in (None, "")]
    text = as_text(value)
    return [text] if text else []


def _configured_meaning(term: TermDefinition, value: object) -> str | None:
    return next((m for key in _choice_keys(value) if (m := term.meaning_of(key)) is not None), None)


def _work_arrangement(term: TermDefinition) -> Coercer:
    def read(value: object) -> WorkArrangement | str | None:
        """A work arrangement; a list value nobody mapped is kept as iCIMS shows it (never blocks the offer)."""
        text = as_text(value)
        if text is None:
            return None
        meaning = _configured_meaning(term, value)
        if meaning is not None:
            return WorkArrangement(meaning)
        letters = "".join(ch for ch in text.lower() if ch.isalpha())
        return WORK_ARRANGEMENT_WORDS.get(letters, text)

    return read


def _pay_period(term: TermDefinition) -> Coercer:
    def read(value: object) -> PayPeriod | None:
        text = as_text(value)
        if text is None:
            return None
        meaning = _configured_meaning(term, value)
        if meaning is not None:
            return PayPeriod(meaning)
        key = " ".join(re.findall(r"[^\W\d_]+", text.lower()))
        for candidate in (key, key.removeprefix("per "), key.rstrip("s")):
            if candidate in PAY_PERIOD_WORDS:
                return PAY_PERIOD_WORDS[candidate]
        raise ValueError(
            f"{text!r} is not a pay basis (hour, week, month or year); map it in tenant.terms.pay_period.values"
        )

    return read


def _positive(value: object) -> Decimal | None:
    number = as_decimal(value)
    if number is not None and number <= 0:
        raise ValueError(f"{number} is not a positive amount")
    return number


def _not_negative(value: object) -> Decimal | None:
    number = as_decimal(value)
    if number is not None and number < 0:
        raise ValueError(f"{number} is negative")
    return number


def _count(value: object) -> int | None:
    number = as_int(value)
    if number is not None and number < 0:
        raise ValueError(f"{number} is negative")
    return number


def _currency(value: object) -> str | None:
    code = currency_of(value)
    return normalise_currency(code) if code is not None else None


def _country(value: object) -> str | None:
    code = as_code(value)
    if code is not None and not (len(code) == 2 and code.isalpha()):
        raise ValueError(f"{code!r} is not a two-letter country code")
    return code


COERCERS: dict[str, Coercer] = {
    "title": as_text,
    "department": as_text,
    "location": as_text,
    "jurisdiction_country": _country,
    "jurisdiction_region": as_code,
    "currency": _currency,
    "base_salary": _positive,
    "bonus_target_percent": _not_negative,
    "sign_on_bonus": _not_negative,
    "equity_units": _count,
    "vesting_schedule": as_text,
    "start_date": as_date,
    "relocation": _not_negative,
    "pto_days": _count,
    "reports_to": as_text,
    "expiry_date": as_date,
    "special_terms": as_text,
    "recruiter": as_text,
    "preferred_language": as_text,
    "signer_name": as_text,
    "signer_title": as_text,
}


def _custom_coercer(term: TermDefinition) -> Coercer:
    """How a tenant term's iCIMS value is read, by its declared type (a value that does not fit is an error)."""
    match term.type:
        case TermType.MONEY | TermType.MONEY_RATE:
            return _not_negative
        case TermType.PERCENT | TermType.DURATION:
            return as_decimal
        case TermType.COUNT:  # a tenant's count may be fractional: 37.5 contracted hours, 22.5 days of leave
            return _not_negative
        case TermType.DATE:
            return as_date
        case TermType.CHOICE:
            return lambda value: _configured_meaning(term, value) or as_text(value)
        case _:
            return as_text


class _Reader:
    def __init__(self, bundle: WorkflowBundle, mapping: TenantMapping, catalogue: Catalogue) -> None:
        self.bundle, self.mapping, self.catalogue = bundle, mapping, catalogue
        self.coercers: dict[str, Coercer] = {
            **COERCERS,
            "pay_period": _pay_period(catalogue.pay_period),
            "work_arrangement": _work_arrangement(catalogue.terms["work_arrangement"]),
        }
        self.coercers |= {term.key: _custom_coercer(term) for term in catalogue.tenant_terms}
        self.values: dict[str, Any] = {}
        self.sources: dict[str, str] = {}
        self.missing: list[MissingTerm] = []

    def read(self, key: str, *, mandatory: bool = False) -> Any:
        refs = self.mapping.terms.get(key, [])
        if not refs:
            if mandatory:
                self.miss(key, [], "not_mapped", f"the tenant mapping has no fields for {key} (tenant.terms.{key})")
            return None
        value, ref, error = self._first(refs, self.coercers[key])
        if error is not None:
            self.miss(key, refs, "invalid", error)
            return None
        if value is None:
            if mandatory:
                self.miss(key, refs, "absent", f"no value in {', '.join(str(r) for r in refs)}")
            return None
        self.values[key], self.sources[key] = value, str(ref)
        return value

    def _first(self, refs: list[FieldRef], coerce: Coercer) -> tuple[Any, FieldRef | None, str | None]:
        for ref in refs:
            raw = read_ref(self.bundle, ref)
            if raw is None:
                continue
            try:
                value = coerce(raw)
            except (ValueError, UnknownCurrencyError) as exc:
                return None, ref, f"{ref}: {exc}"
            if value is not None:
                return value, ref, None
        return None, None, None

    def miss(
        self,
        term: str,
        refs: list[FieldRef] | list[str],
        reason: Literal["absent", "invalid", "not_mapped"],
        detail: str,
    ) -> None:
        self.missing.append(MissingTerm(term=term, tried=[str(r) for r in refs], reason=reason, detail=detail))


def read_terms(bundle: WorkflowBundle, mapping: TenantMapping, catalogue: Catalogue | None = None) -> IntakeResult:
    """The offer terms of the workflow, or exactly what is missing; plus sources, extras and the job's band."""
    reader = _Reader(bundle, mapping, catalogue or build_catalogue(mapping))
    for key in ("title", "currency", "base_salary", "start_date"):
        reader.read(key, mandatory=True)
    _read_jurisdiction(reader)
    for key in OPTIONAL_TERMS:
        reader.read(key)
    _read_pay_period_default(reader)
    _read_work_arrangement_label(reader)
    _read_tenant_terms(reader)
    _check_salary_currency(reader)
    extras = {key: str(value) for key in EXTRA_KEYS if (value := reader.read(key)) is not None}
    if bundle.person.full_name:
        extras["candidate_name"] = bundle.person.full_name
    terms = _build_terms(reader) if not reader.missing else None
    band, band_problem = _job_band(bundle, mapping)
    return IntakeResult(
        terms=terms,
        missing=reader.missing,
        sources=reader.sources,
        extras=extras,
        job_band=band,
        band_problem=band_problem,
    )


def _read_pay_period_default(reader: _Reader) -> None:
    if "pay_period" not in reader.values and reader.catalogue.pay_period.default:
        reader.values["pay_period"] = PayPeriod(reader.catalogue.pay_period.default)


def _read_work_arrangement_label(reader: _Reader) -> None:
    value = reader.values.get("work_arrangement")
    if isinstance(value, str) and not isinstance(value, WorkArrangement):
        reader.values["work_arrangement"] = None
        reader.values["work_arrangement_label"] = value


def _read_tenant_terms(reader: _Reader) -> None:
    """The tenant's own terms into `custom`; internal ones are never read into the offer's terms."""
    custom: dict[str, str] = {}
    for term in reader.catalogue.tenant_terms:
        if term.internal:
            continue
        value = reader.read(term.key)
        if value is not None:
            custom[term.key] = custom_value(value)
    reader.values["custom"] = custom


def _read_jurisdiction(reader: _Reader) -> None:
    before = len(reader.missing)
    country = reader.read("jurisdiction_country", mandatory=True)
    region = reader.read("jurisdiction_region") if country else None
    for problem in reader.missing[before:]:
        problem.term = "jurisdiction"  # reported under the term the offer has
    if country and len(reader.missing) == before:
        reader.values["jurisdiction"] = f"{country}-{region}" if region else country
        reader.sources["jurisdiction"] = reader.sources["jurisdiction_country"]


def _check_salary_currency(reader: _Reader) -> None:
    """A salary field that names its own currency must agree with the offer's currency."""
    source = reader.sources.get("base_salary")
    currency = reader.values.get("currency")
    if source is None or currency is None:
        return
    raw = read_ref(reader.bundle, FieldRef.parse(source))
    try:
        own = currency_of(raw)
    except ValueError:
        own = None
    if own is not None and own != currency:
        reader.values.pop("base_salary")
        reader.miss(
            "base_salary", [FieldRef.parse(source)], "invalid", f"{source} is in {own}, the offer in {currency}"
        )


def _build_terms(reader: _Reader) -> OfferTerms | None:
    fields = {k: v for k, v in reader.values.items() if k in OfferTerms.model_fields and v is not None}
    try:
        return OfferTerms.model_validate(fields)
    except ValidationError as exc:
        for error in exc.errors():
            term = str(error["loc"][0]) if error["loc"] else "terms"
            source = reader.sources.get(term)
            reader.miss(term, [source] if source else [], "invalid", error["msg"])
        return None


def _job_band(bundle: WorkflowBundle, mapping: TenantMapping) -> tuple[JobBand | None, str | None]:
    if not (mapping.band_min and mapping.band_max):
        return None, None
    try:
        low = _first_value(bundle, mapping.band_min, as_decimal)
        high = _first_value(bundle, mapping.band_max, as_decimal)
        currency = _first_value(bundle, mapping.band_currency, _currency) if mapping.band_currency else None
        currency = currency or _first_value(bundle, mapping.band_min, currency_of)
    except (ValueError, UnknownCurrencyError) as exc:
        return None, f"the job's salary band cannot be read: {exc}"
    if low is None or high is None or currency is None:
        return None, None
    if low < 0 or high < low:
        return None, f"the job's salary band {low}-{high} is not a range"
    return JobBand(minimum=low, maximum=high, currency=currency), None


def _first_value(bundle: WorkflowBundle, refs: list[FieldRef], coerce: Coercer) -> Any:
    for ref in refs:
        raw = read_ref(bundle, ref)
        if raw is not None and (value := coerce(raw)) is not None:
            return value
    return None
