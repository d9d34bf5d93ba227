from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.config import Settings
from icims.mapping import TenantMapping
from offer_engine.errors import NotAtOfferStageError
from offer_engine.intake import ensure_offer_stage, read_terms
from offer_engine.terms import WorkArrangement
from tests import factories as f
from tests.factories import DROP


@pytest.fixture
def mapping(settings: Settings) -> TenantMapping:
    return settings.tenant


def _missing(result: object) -> dict[str, tuple[str, list[str]]]:
    return {m.term: (m.reason, m.tried) for m in result.missing}  # type: ignore[attr-defined]


def test_a_complete_workflow_becomes_terms_with_sources(mapping: TenantMapping) -> None:
    result = read_terms(f.demo_bundle(3401), mapping)
    assert result.missing == []
    terms = result.terms
    assert terms is not None
    assert (terms.title, terms.jurisdiction, terms.currency) == ("Senior Backend Engineer", "US-CA", "USD")
    assert terms.base_salary == Decimal("185000")
    assert terms.start_date == date(2028, 1, 31)
    assert terms.expiry_date == date(2027, 12, 10)
    assert (terms.bonus_target_percent, terms.sign_on_bonus, terms.relocation) == (10, 15000, 10000)
    assert (terms.equity_units, terms.pto_days, terms.work_arrangement) == (4000, 20, WorkArrangement.HYBRID)
    assert (terms.department, terms.location, terms.reports_to) == ("Engineering", "San Francisco", "Grace Liu")
    assert terms.vesting_schedule
    assert "cliff" in terms.vesting_schedule
    assert result.sources["base_salary"] == "applicantworkflow.field31001"
    assert result.sources["jurisdiction"] == "joblocation.addresscountry"
    assert result.extras == {"recruiter": "Alex Rivera", "candidate_name": "Maya Patel"}
    assert result.job_band is not None
    assert (result.job_band.minimum, result.job_band.maximum, result.job_band.currency) == (165000, 210000, "USD")


def test_the_non_us_workflow_gets_a_country_jurisdiction(mapping: TenantMapping) -> None:
    terms = read_terms(f.demo_bundle(3404), mapping).terms
    assert terms is not None
    assert (terms.jurisdiction, terms.currency, terms.location) == ("GB", "GBP", "London")


def test_a_workflow_without_salary_and_start_date_lists_exactly_those(mapping: TenantMapping) -> None:
    result = read_terms(f.demo_bundle(3407), mapping)
    assert result.terms is None
    assert _missing(result) == {
        "base_salary": ("absent", ["applicantworkflow.field31001"]),
        "start_date": ("absent", ["applicantworkflow.field31006"]),
    }


@pytest.mark.parametrize(
    ("term", "changes", "tried"),
    [
        ("title", {"job": {"jobtitle": DROP}}, ["job.jobtitle"]),
        ("base_salary", {"workflow": {"field31001": DROP}}, ["applicantworkflow.field31001"]),
        ("start_date", {"workflow": {"field31006": DROP}}, ["applicantworkflow.field31006"]),
        (
            "currency",
            {"workflow": {"field31001": 185000}, "job": {"field30003": DROP}},
            ["applicantworkflow.field31001", "job.field30003"],
        ),
        (
            "jurisdiction",
            {"job": {"joblocation": DROP}},
            ["applicantworkflow.field31012", "joblocation.addresscountry"],
        ),
    ],
)
def test_each_missing_mandatory_term_is_listed_alone(
    mapping: TenantMapping, term: str, changes: dict[str, dict[str, object]], tried: list[str]
) -> None:
    result = read_terms(f.demo_bundle(3401, **changes), mapping)
    assert result.terms is None
    assert _missing(result) == {term: ("absent", tried)}


def test_an_unreadable_salary_field_is_listed_for_every_term_read_from_it(mapping: TenantMapping) -> None:
    # the demo mapping reads both the salary and (first) the currency from the same money field
    result = read_terms(f.demo_bundle(3401, workflow={"field31001": "abc"}), mapping)
    problems = {m.term: m for m in result.missing}
    assert set(problems) == {"base_salary", "currency"}
    assert all(m.reason == "invalid" and "abc" in m.detail.lower() for m in problems.values())


@pytest.mark.parametrize(
    ("term", "changes", "says"),
    [
        ("bonus_target_percent", {"workflow": {"field31003": "ten"}}, "ten"),
        ("base_salary", {"workflow": {"field31001": -5}}, "positive"),
        ("currency", {"workflow": {"field31001": {"amount": 185000, "currency": "XYZ"}}}, "XYZ"),
        ("start_date", {"workflow": {"field31006": "next month"}}, "next month"),
        ("equity_units", {"workflow": {"field31005": 10.5}}, "fractional"),
        ("jurisdiction", {"workflow": {"field31012": {"value": "United States"}}}, "United States"),
    ],
)
def test_invalid_values_are_listed_with_the_reason(
    mapping: TenantMapping, term: str, changes: dict[str, dict[str, object]], says: str
) -> None:
    result = read_terms(f.demo_bundle(3401, **changes), mapping)
    assert result.terms is None
    problems = {m.term: m for m in result.missing}
    assert list(problems) == [term]
    assert problems[term].reason == "invalid"
    assert problems[term].tried
    assert says in problems[term].detail


def test_a_salary_in_another_currency_than_the_offer_is_not_used(mapping: TenantMapping) -> None:
    terms = {**mapping.terms, "currency": mapping.terms["currency"][::-1]}  # the job's code first
    other = mapping.model_copy(update={"terms": terms})
    result = read_terms(f.demo_bundle(3401, workflow={"field31001": {"amount": 185000, "currency": "EUR"}}), other)
    assert _missing(result) == {"base_salary": ("invalid", ["applicantworkflow.field31001"])}


def test_an_unmapped_mandatory_term_says_so(mapping: TenantMapping) -> None:
    terms = {k: v for k, v in mapping.terms.items() if k != "start_date"}
    result = read_terms(f.demo_bundle(3401), mapping.model_copy(update={"terms": terms}))
    assert _missing(result) == {"start_date": ("not_mapped", [])}


def test_another_tenant_mapping_reads_other_fields() -> None:
    mapping = TenantMapping.model_validate(
        {
            "offer_ready_statuses": ["C20010"],
            "terms": {
                "title": "applicantworkflow.field77001",
                "jurisdiction_country": "person.field77002",
                "jurisdiction_region": "person.field77003",
                "currency": "applicantworkflow.field77004",
                "base_salary": "applicantworkflow.field77005",
                "pay_period": "applicantworkflow.field77006",
                "start_date": "job.startdate",
            },
        }
    )
    bundle = f.demo_bundle(
        3406,
        workflow={
            "field77001": "Enterprise Account Executive",
            "field77004": "cad",
            "field77005": "98,500.00",
            "field77006": "Annual",
        },
        person={"field77002": "ca", "field77003": {"id": "D1", "value": "Ontario", "abbrev": "ON"}},
        job={"startdate": "2027-04-05"},
    )
    ensure_offer_stage(bundle, mapping)
    result = read_terms(bundle, mapping)
    assert result.missing == []
    assert result.terms is not None
    assert (result.terms.title, result.terms.jurisdiction, result.terms.currency) == (
        "Enterprise Account Executive",
        "CA-ON",
        "CAD",
    )
    assert result.terms.base_salary == Decimal("98500.00")
    assert result.terms.start_date == date(2027, 4, 5)
    assert result.job_band is None


def test_a_workflow_past_the_offer_stage_is_refused(mapping: TenantMapping) -> None:
    with pytest.raises(NotAtOfferStageError, match="Second Interview"):
        ensure_offer_stage(f.demo_bundle(3406), mapping)
    with pytest.raises(NotAtOfferStageError, match="C20002"):
        ensure_offer_stage(f.demo_bundle(3408), mapping)
    ensure_offer_stage(f.demo_bundle(3401), mapping)
