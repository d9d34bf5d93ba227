"""The term catalogue: tenant terms declared in configuration reach the offer, the chat and counter-offers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from app.ai.counter import extract_counter_offer
from app.ai.engine import AnswerEngine
from app.ai.facts import asked_terms, builtin_facts, choice_options, pay_facts, tenant_facts
from icims.mapping import TenantMapping
from offer_engine.catalogue import CatalogueError, TermType, build_catalogue, pay_quantity
from offer_engine.intake import read_terms
from offer_engine.policy.scope import term_value
from offer_engine.terms import CounterItem, PayPeriod, WorkArrangement, apply_counter_items
from tests import factories as f
from tests.app.ai.factories import make_request


def _mapping(settings_tenant: TenantMapping, **terms: Any) -> TenantMapping:
    data = settings_tenant.model_dump(exclude={"terms", "term_configs", "band_min", "band_max", "band_currency"})
    raw = {name: [str(r) for r in refs] for name, refs in settings_tenant.terms.items()}
    bands = {key: [str(r) for r in getattr(settings_tenant, key)] for key in ("band_min", "band_max", "band_currency")}
    return TenantMapping.model_validate({**data, **bands, "terms": {**raw, **terms}})


@pytest.fixture
def tenant(settings: Any) -> TenantMapping:
    return settings.tenant  # type: ignore[no-any-return]


SHIFT = {
    "source": "applicantworkflow.field39001",
    "type": "money_rate",
    "basis": "hour",
    "labels": {"en": "shift differential", "de": "Schichtzulage"},
    "synonyms": {"en": ["night premium"]},
}
HOURS = {"source": "applicantworkflow.field39002", "type": "count", "unit": "hours"}
BUDGET = {"source": "job.field39003", "type": "money", "internal": True}


def test_a_declared_tenant_term_is_read_into_the_offer_with_its_type(tenant: TenantMapping) -> None:
    mapping = _mapping(tenant, shift_differential=SHIFT, weekly_hours=HOURS, max_budget=BUDGET)
    bundle = f.demo_bundle(3401, workflow={"field39001": "2.50", "field39002": 38}, job={"field39003": 250000})
    result = read_terms(bundle, mapping)
    assert result.terms is not None
    assert result.terms.custom == {"shift_differential": "2.50", "weekly_hours": "38"}
    assert "max_budget" not in result.terms.custom  # internal: never part of what the candidate's offer holds
    assert result.sources["shift_differential"] == "applicantworkflow.field39001"


def test_a_tenant_value_that_does_not_fit_its_type_leaves_the_offer_waiting_with_the_field(
    tenant: TenantMapping,
) -> None:
    mapping = _mapping(tenant, weekly_hours=HOURS)
    result = read_terms(f.demo_bundle(3401, workflow={"field39002": "about forty"}), mapping)
    assert result.terms is None
    assert [(m.term, m.reason) for m in result.missing] == [("weekly_hours", "invalid")]
    assert "applicantworkflow.field39002" in result.missing[0].detail


def test_a_count_term_may_hold_a_fractional_number_and_feeds_the_weekly_hours(tenant: TenantMapping) -> None:
    base = {"source": "applicantworkflow.field31001", "hours_per_week": "weekly_hours"}
    mapping = _mapping(tenant, weekly_hours=HOURS, base_salary=base)
    result = read_terms(f.demo_bundle(3401, workflow={"field39002": "37.5"}), mapping)
    assert result.terms is not None, result.missing
    assert result.terms.custom["weekly_hours"] == "37.5"
    catalogue = build_catalogue(mapping)
    assert pay_quantity(catalogue.terms["base_salary"].hours_per_week, result.terms.custom) == Decimal("37.5")
    negative = read_terms(f.demo_bundle(3401, workflow={"field39002": -4}), mapping)
    assert [(m.term, m.reason) for m in negative.missing] == [("weekly_hours", "invalid")]


def test_chat_facts_show_a_rate_with_its_basis_in_the_candidates_language(tenant: TenantMapping) -> None:
    mapping = _mapping(tenant, shift_differential=SHIFT, weekly_hours=HOURS)
    terms = read_terms(f.demo_bundle(3401, workflow={"field39001": "2.5", "field39002": 38}), mapping).terms
    assert terms is not None
    catalogue = build_catalogue(mapping)
    english = {fact.name: fact for fact in tenant_facts(catalogue, terms, "en", {})}
    assert english["shift_differential"].value == "$2.50 per hour"
    assert english["weekly_hours"].value == "38 hours"
    assert "night premium" in english["shift_differential"].synonyms
    german = {fact.name: fact for fact in tenant_facts(catalogue, terms, "de", {})}
    assert german["shift_differential"].label == "Schichtzulage"
    assert german["shift_differential"].value.endswith("pro Stunde")


def test_a_counter_can_ask_for_a_tenant_term_and_changes_only_that_term(tenant: TenantMapping) -> None:
    mapping = _mapping(tenant, shift_differential=SHIFT)
    terms = read_terms(f.demo_bundle(3401, workflow={"field39001": "2.5"}), mapping).terms
    assert terms is not None
    facts = tenant_facts(build_catalogue(mapping), terms, "en", {})
    proposal = extract_counter_offer(
        "Could you raise the shift differential to $3.25?", terms, date(2026, 12, 7), facts
    )
    assert proposal is not None
    assert [(i.key, i.requested) for i in proposal.items] == [("shift_differential", Decimal("3.25"))]
    revised = apply_counter_items(terms, [CounterItem(term="shift_differential", requested=Decimal("3.25"))])
    assert revised.custom["shift_differential"] == "3.25"
    assert revised.base_salary == terms.base_salary


def test_policy_rules_see_tenant_terms_as_numbers(tenant: TenantMapping) -> None:
    mapping = _mapping(tenant, weekly_hours=HOURS)
    terms = read_terms(f.demo_bundle(3401, workflow={"field39002": 38}), mapping).terms
    assert terms is not None
    assert term_value(terms, "weekly_hours") == Decimal(38)


def test_pay_basis_from_configuration_and_from_a_list_field(tenant: TenantMapping) -> None:
    hourly = _mapping(tenant, pay_period={"default": "hour"})
    terms = read_terms(f.demo_bundle(3401), hourly).terms
    assert terms is not None
    assert terms.pay_period is PayPeriod.HOUR
    coded = _mapping(tenant, pay_period={"source": "job.field39010", "values": {"W1": "week"}})
    node = {"id": "W1", "value": "Weekly paid", "formattedvalue": "Weekly paid"}
    weekly = read_terms(f.demo_bundle(3401, job={"field39010": node}), coded).terms
    assert weekly is not None
    assert weekly.pay_period is PayPeriod.WEEK


def test_an_unmapped_work_arrangement_is_kept_as_written_and_never_blocks_the_offer(tenant: TenantMapping) -> None:
    odd = {"id": "C9", "value": "Field-based (multi-store)", "formattedvalue": "Field-based (multi-store)"}
    result = read_terms(f.demo_bundle(3401, workflow={"field31007": odd}), tenant)
    assert result.terms is not None
    assert (result.terms.work_arrangement, result.terms.work_arrangement_label) == (None, "Field-based (multi-store)")
    mapped = _mapping(tenant, work_arrangement={"source": "applicantworkflow.field31007", "values": {"C9": "onsite"}})
    terms = read_terms(f.demo_bundle(3401, workflow={"field31007": odd}), mapped).terms
    assert terms is not None
    assert terms.work_arrangement is WorkArrangement.ONSITE


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"ote": "applicantworkflow.field39001"}, "tenant.terms.ote: 'ote' is not a built-in term"),
        ({"ote": {"source": "applicantworkflow.field39001"}}, "tenant.terms.ote: 'ote' is not a built-in term"),
        ({"ote": {"type": "money"}}, "tenant.terms.ote: give `source`"),
        ({"rate": {"source": "job.x", "type": "money_rate"}}, "tenant.terms.rate: a money_rate term needs `basis`"),
        ({"p": {"source": "job.x", "type": "duration"}}, "tenant.terms.p: a duration term needs `unit`"),
        ({"base_salary": {"source": "job.x", "type": "text"}}, "base_salary is a built-in term of type money"),
        ({"pay_period": {"default": "fortnight"}}, "'fortnight' is not a pay basis"),
        ({"work_arrangement": {"values": {"Home": "home"}}}, "values may only mean"),
        ({"x": {"source": "job.x", "type": "text", "labels": {"en": "Base salary"}}}, "already the label of"),
        ({"x": {"source": "job.x", "type": "money", "percent_of": "month"}}, "`percent_of` is only for percent"),
    ],
)
def test_a_wrong_declaration_is_a_configuration_error_naming_the_key(
    tenant: TenantMapping, terms: dict[str, Any], message: str
) -> None:
    with pytest.raises(CatalogueError, match=message.replace("(", r"\(").replace("`", "`")):
        build_catalogue(_mapping(tenant, **terms))


def test_built_in_terms_keep_their_types_and_labels_in_three_languages() -> None:
    catalogue = build_catalogue(TenantMapping())
    base = catalogue.terms["base_salary"]
    assert base.type is TermType.MONEY
    assert {base.label(lang) for lang in ("en", "es", "de")} == {"Base salary", "Salario base", "Grundgehalt"}
    assert catalogue.tenant_terms == []


def test_a_smaller_figure_beside_a_tenant_money_term_is_not_a_counter(tenant: TenantMapping) -> None:
    allowance = {"source": "applicantworkflow.field39004", "type": "money", "labels": {"en": "research allowance"}}
    mapping = _mapping(tenant, research_allowance=allowance)
    terms = read_terms(f.demo_bundle(3401, workflow={"field39004": 4000}), mapping).terms
    assert terms is not None
    facts = tenant_facts(build_catalogue(mapping), terms, "en", {})
    message = "I need to know: does spending 1,400 of my research allowance need approval?"
    assert extract_counter_offer(message, terms, date(2026, 12, 7), facts) is None


CONTRACT = {
    "source": "applicantworkflow.field39005",
    "type": "choice",
    "labels": {"en": "contract type"},
    "values": {"FT36": "Fixed-term (36 months)", "PERM": "Permanent"},
}


def test_a_counter_can_ask_for_another_value_of_a_choice_term(tenant: TenantMapping) -> None:
    mapping = _mapping(tenant, contract_type=CONTRACT)
    terms = read_terms(f.demo_bundle(3401, workflow={"field39005": {"id": "FT36", "value": "FT36"}}), mapping).terms
    assert terms is not None
    assert terms.custom["contract_type"] == "Fixed-term (36 months)"  # the configured meaning of the list value
    facts = tenant_facts(build_catalogue(mapping), terms, "en", {})
    proposal = extract_counter_offer("Could the contract type be permanent instead?", terms, date(2026, 12, 7), facts)
    assert proposal is not None
    assert [(i.key, i.requested) for i in proposal.items] == [("contract_type", "Permanent")]
    assert extract_counter_offer("What is my contract type?", terms, date(2026, 12, 7), facts) is None


def test_a_work_arrangement_asked_for_by_the_tenants_own_list_name(tenant: TenantMapping) -> None:
    arrangement = {"source": "applicantworkflow.field31007", "values": {"Blended (campus + home)": "hybrid"}}
    catalogue = build_catalogue(_mapping(tenant, work_arrangement=arrangement))
    terms = read_terms(f.demo_bundle(3405), tenant).terms  # remote today
    assert terms is not None
    names = choice_options(catalogue.terms["work_arrangement"])
    proposal = extract_counter_offer("I'd prefer blended (campus + home) please", terms, date(2026, 12, 7), (), names)
    assert proposal is not None
    assert [(i.key, i.requested) for i in proposal.items] == [("work_arrangement", WorkArrangement.HYBRID)]


@pytest.mark.parametrize(
    ("message", "requested"),
    [
        ("I'd sign if the base were 190", Decimal(190000)),
        ("provided you can go up to 195k I'm in", Decimal(195000)),
        ("my target is 192,500", Decimal(192500)),
        ("acepto si el salario fuera 196.000", Decimal(196000)),
        ("Ich unterschreibe, wenn das Gehalt bei 197.000 läge", Decimal(197000)),
    ],
)
def test_conditional_and_approximate_asks_are_counter_offers(
    tenant: TenantMapping, message: str, requested: Decimal
) -> None:
    terms = read_terms(f.demo_bundle(3401), tenant).terms
    assert terms is not None
    proposal = extract_counter_offer(message, terms, date(2026, 12, 7))
    assert proposal is not None
    assert [(i.key, i.requested) for i in proposal.items] == [("base_salary", requested)]


def test_pay_equivalents_come_only_from_the_offers_own_data(tenant: TenantMapping) -> None:
    hours = {"source": "applicantworkflow.field39002", "type": "count", "unit": "hours"}
    hourly_base = {"source": "applicantworkflow.field31001", "hours_per_week": "weekly_hours"}
    mapping = _mapping(tenant, weekly_hours=hours, base_salary=hourly_base, pay_period={"default": "hour"})
    bundle = f.demo_bundle(3401, workflow={"field31001": 46.75, "field39002": 38})
    terms = read_terms(bundle, mapping).terms
    assert terms is not None
    facts = {fact.name: fact.value for fact in pay_facts(build_catalogue(mapping), terms, "en", {})}
    assert facts["base_salary"] == "$46.75 per hour (38 hours a week: $1,776.50 per week)"
    assert "bonus_target_percent" not in facts  # no annual figure without the tenant enabling one
    enabled = _mapping(tenant, weekly_hours=hours, pay_period={"default": "hour"},
                       base_salary={**hourly_base, "annual_equivalent": True})  # fmt: skip
    facts = {fact.name: fact.value for fact in pay_facts(build_catalogue(enabled), terms, "en", {})}
    assert "about $92,378 per year" in facts["base_salary"]
    assert facts["bonus_target_percent"] == "10% (about $9,238 per year at target)"


def test_a_monthly_salary_paid_fourteen_times_has_its_annual_figure(tenant: TenantMapping) -> None:
    payments = {"source": "applicantworkflow.field39006", "type": "count", "labels": {"en": "payments a year"}}
    monthly = {"source": "applicantworkflow.field31001", "payments_per_year": "pagas"}
    mapping = _mapping(tenant, pagas=payments, base_salary=monthly, pay_period={"default": "month"})
    terms = read_terms(f.demo_bundle(3401, workflow={"field31001": 3500, "field39006": 14}), mapping).terms
    assert terms is not None
    facts = {fact.name: fact.value for fact in pay_facts(build_catalogue(mapping), terms, "es", {})}
    assert "14 pagas al año" in facts["base_salary"]
    assert "$49,000 al año" in facts["base_salary"]  # a US offer: dollars written as in the US


def test_a_yearly_salary_paid_in_26_payments_has_its_amount_per_payment(tenant: TenantMapping) -> None:
    fortnightly = {"source": "applicantworkflow.field31001", "payments_per_year": 26}
    mapping = _mapping(tenant, base_salary=fortnightly, pay_period={"default": "year"})
    terms = read_terms(f.demo_bundle(3401, workflow={"field31001": 131000}), mapping).terms
    assert terms is not None
    facts = {fact.name: fact.value for fact in pay_facts(build_catalogue(mapping), terms, "en", {})}
    assert facts["base_salary"] == "$131,000 per year (26 payments a year: $5,038.46 each)"


def test_pay_references_must_name_a_count_term(tenant: TenantMapping) -> None:
    with pytest.raises(CatalogueError, match="payments_per_year: 'nope'"):
        build_catalogue(_mapping(tenant, base_salary={"source": "job.x", "payments_per_year": "nope"}))
    with pytest.raises(CatalogueError, match="are for base_salary"):
        build_catalogue(_mapping(tenant, relocation={"source": "job.x", "hours_per_week": 40}))


def test_a_tenant_term_is_found_by_the_last_word_of_its_label(tenant: TenantMapping) -> None:
    discount = {"source": "applicantworkflow.field39007", "type": "percent", "labels": {"en": "store discount"}}
    kind = {"source": "applicantworkflow.field39008", "type": "text", "labels": {"en": "contract type"}}
    mapping = _mapping(tenant, store_discount=discount, contract_kind=kind)
    terms = read_terms(f.demo_bundle(3401, workflow={"field39007": 30, "field39008": "Permanent"}), mapping).terms
    assert terms is not None
    facts = tenant_facts(build_catalogue(mapping), terms, "en", {})
    assert asked_terms("what discount do I get?", facts) == ["store_discount"]
    assert asked_terms("what type of bonus is it?", facts) == ["bonus_target_percent"]  # "type" names nothing


@pytest.mark.parametrize(
    ("message", "payments", "requested"),
    [
        ("Could you do 46,800 a year?", None, Decimal("3900.00")),  # twelve payments unless the tenant says more
        ("quiero 54.600 al año", Decimal(14), Decimal("3900.00")),
        ("could the base be 3,900?", None, Decimal(3900)),  # a monthly figure stays monthly
    ],
)
def test_a_yearly_figure_for_a_monthly_salary_is_divided_into_the_years_payments(
    tenant: TenantMapping, message: str, payments: Decimal | None, requested: Decimal
) -> None:
    mapping = _mapping(tenant, pay_period={"default": "month"})
    terms = read_terms(f.demo_bundle(3401, workflow={"field31001": 3600}), mapping).terms
    assert terms is not None
    proposal = extract_counter_offer(message, terms, date(2026, 12, 7), payments_per_year=payments)
    assert proposal is not None
    assert [(i.key, i.requested) for i in proposal.items] == [("base_salary", requested)]


def test_a_built_in_term_is_found_by_the_names_the_tenant_gives_it(tenant: TenantMapping) -> None:
    base = {"source": "applicantworkflow.field31001", "synonyms": {"de": ["Jahresfixum"], "en": ["OTE"]}}
    mapping = _mapping(tenant, base_salary=base)
    terms = read_terms(f.demo_bundle(3401), mapping).terms
    assert terms is not None
    facts = builtin_facts(build_catalogue(mapping), terms, "en", {})
    base_fact = next(fact for fact in facts if fact.name == "base_salary")
    assert (base_fact.value, base_fact.synonyms) == ("$185,000 per year", ["jahresfixum", "ote"])
    assert asked_terms("what's my OTE?", facts) == ["base_salary"]


def test_a_built_in_term_named_the_tenants_way_is_still_countered_as_a_built_in(tenant: TenantMapping) -> None:
    mapping = _mapping(tenant, base_salary={"source": "applicantworkflow.field31001", "synonyms": {"de": ["Fixum"]}})
    terms = read_terms(f.demo_bundle(3401), mapping).terms
    assert terms is not None
    facts = [*tenant_facts(build_catalogue(mapping), terms, "en", {})]
    facts += builtin_facts(build_catalogue(mapping), terms, "en", {})
    proposal = extract_counter_offer("Could you do 195k on the base salary?", terms, date(2026, 12, 7), facts)
    assert proposal is not None
    assert [(i.key, i.requested, i.is_builtin) for i in proposal.items] == [("base_salary", Decimal(195000), True)]


def test_a_tenant_term_this_offer_lacks_is_answered_as_not_included(tenant: TenantMapping) -> None:
    car = {"source": "applicantworkflow.field39006", "type": "money", "labels": {"en": "company car allowance"}}
    mapping = _mapping(tenant, company_car=car)
    terms = read_terms(f.demo_bundle(3401, workflow={}), mapping).terms
    assert terms is not None
    facts = {fact.name: fact for fact in tenant_facts(build_catalogue(mapping), terms, "en", {})}
    assert facts["company_car"].value is None
    answer = AnswerEngine().answer(
        make_request("Do I get a company car allowance?", terms=terms, extra_facts=list(facts.values()), passages=[])
    )
    assert answer.intent.value == "offer_term_question"
    assert "does not include" in answer.text or "doesn't include" in answer.text
    assert answer.counter_offer is None


def test_a_percent_term_declares_the_pay_it_is_of_and_the_chat_sees_it(tenant: TenantMapping) -> None:
    year_end = {"source": "applicantworkflow.field39004", "type": "percent", "percent_of": "month"}
    catalogue = build_catalogue(_mapping(tenant, year_end_bonus=year_end, shift_differential=SHIFT))
    assert catalogue.terms["year_end_bonus"].percent_of == "month"
    assert catalogue.terms["shift_differential"].percent_of is None
    offer = make_request("hi").terms.model_copy(update={"custom": {"year_end_bonus": "80"}})
    [fact] = [f for f in tenant_facts(catalogue, offer, "en", {}) if f.name == "year_end_bonus"]
    assert fact.percent_of == "month"
