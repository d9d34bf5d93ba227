"""The company policy file: loading, bands, levels and grids, every rule kind, and invalid content."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from offer_engine.policy import PolicyError, load_policy, parse
from offer_engine.policy.expressions import ExpressionError
from offer_engine.terms import WorkArrangement
from tests.offer_engine.letter_factories import DEMO_POLICY, demo_policy, make_band, make_terms, write_policy


def step_keys(steps: list[Any]) -> list[str]:
    return [s.key for s in steps]


# -- the demo policy ---------------------------------------------------------------------------------------
def test_demo_policy_loads_with_every_section() -> None:
    policy = demo_policy()
    assert policy.company == "Corvid Systems, Inc."
    assert step_keys(list(policy.steps)) == [
        "hiring_manager",
        "recruiting_ops",
        "compensation",
        "band_exception",
        "legal",
    ]
    ids = {c.id for c in policy.clauses}
    assert {"at_will", "ca_noncompete_notice", "non_compete", "ny_pay_transparency", "co_pay_disclosure",
            "co_restrictive_covenants", "gb_notice_period", "gb_holiday", "gb_pension", "gb_right_to_work",
            "confidentiality_ip", "us_background_check", "equity_grant", "sign_on_repayment",
            "relocation_repayment"} <= ids  # fmt: skip
    assert {t.id for t in policy.templates} == {"gb_statement", "standard"}


@pytest.mark.parametrize(
    ("jurisdiction", "required", "forbidden"),
    [
        ("US-CA", {"at_will", "ca_noncompete_notice", "ca_invention_notice", "sign_on_repayment_ca"}, {"non_compete"}),
        ("US-NY", {"at_will", "ny_pay_transparency", "ny_wage_notice", "sign_on_repayment"}, set()),
        ("US-CO", {"at_will", "co_pay_disclosure", "co_restrictive_covenants"}, {"non_compete"}),
        ("US-TX", {"at_will", "us_background_check", "sign_on_repayment"}, set()),
        ("GB", {"gb_notice_period", "gb_holiday", "gb_pension", "gb_right_to_work", "sign_on_repayment"}, {"at_will"}),
    ],
)
def test_required_and_forbidden_clauses_follow_the_jurisdiction(
    jurisdiction: str, required: set[str], forbidden: set[str]
) -> None:
    policy = demo_policy()
    terms = make_terms(jurisdiction=jurisdiction, base_salary=Decimal(98000))
    required_ids = {c.id for c in policy.required_clauses(terms, make_band())}
    forbidden_ids = {c.id for c in policy.forbidden_clauses(terms, make_band())}
    assert required <= required_ids
    assert forbidden == forbidden_ids
    assert not required_ids & forbidden_ids
    if jurisdiction == "US-CA":
        assert "sign_on_repayment" not in required_ids  # the California variant replaces it


def test_colorado_non_compete_is_forbidden_only_below_the_threshold() -> None:
    policy = demo_policy()
    low = make_terms(jurisdiction="US-CO", base_salary=Decimal(98000))
    high = make_terms(jurisdiction="US-CO", base_salary=Decimal(150000))
    assert "non_compete" in {c.id for c in policy.forbidden_clauses(low, None)}
    assert "non_compete" not in {c.id for c in policy.forbidden_clauses(high, None)}


def test_conditional_clauses_need_the_term() -> None:
    policy = demo_policy()
    without = make_terms(jurisdiction="US-TX", sign_on_bonus=None, equity_units=None, relocation=None)
    ids = {c.id for c in policy.required_clauses(without, None)}
    assert not ids & {"sign_on_repayment", "equity_grant", "relocation_repayment"}


# -- bands, levels, grids ------------------------------------------------------------------------------------
def test_job_band_comes_first_and_policy_band_is_the_fallback() -> None:
    policy = demo_policy()
    terms = make_terms(title="Senior Backend Engineer", jurisdiction="US-CA")
    job_band = make_band(170000, 200000)
    assert policy.band_for(terms, job_band) == job_band
    fallback = policy.band_for(terms, None)
    assert fallback is not None
    assert (fallback.minimum, fallback.maximum) == (Decimal(165000), Decimal(210000))
    # A job band in another currency than the offer is never compared with it.
    assert policy.band_for(terms, make_band(100000, 120000, "GBP")) == fallback
    assert policy.band_for(make_terms(title="Data Analyst", jurisdiction="US-CO"), None) is None


@pytest.mark.parametrize(("source", "expected_max"), [("job", 199000), ("policy", 111000), ("policy_then_job", 111000)])
def test_band_source_order(tmp_path: Path, source: str, expected_max: int) -> None:
    path = write_policy(tmp_path, f"""
        [bands]
        source = "{source}"
        [[bands.ranges]]
        match = {{ title = "*Engineer*", country = "US" }}
        minimum = 100000
        maximum = 111000
        currency = "USD"
    """)  # fmt: skip
    band = load_policy(path).band_for(make_terms(), make_band(150000, 199000))
    assert band is not None
    assert band.maximum == Decimal(expected_max)


def test_levels_and_grids_match_on_terms() -> None:
    policy = demo_policy()
    assert policy.level_for(make_terms(title="Staff Machine Learning Engineer")) == "IC6"
    assert policy.level_for(make_terms(title="Engineering Manager")) == "M1"
    assert policy.grid_value("equity_units", make_terms(title="Staff Machine Learning Engineer")) == 8000
    assert policy.grid_value("equity_units", make_terms(title="Data Analyst")) == 2500
    assert policy.grid_value("sign_on_threshold", make_terms(currency="GBP", jurisdiction="GB")) == 15000
    assert policy.grid_value("sign_on_threshold", make_terms(currency="EUR", jurisdiction="DE")) == 0


# -- approval rules in the demo policy -----------------------------------------------------------------------
def demo_steps(terms_overrides: dict[str, Any], previous: dict[str, Any] | None = None, band: Any = "default") -> Any:
    policy = demo_policy()
    return policy.approval_steps(
        make_terms(**terms_overrides),
        make_terms(**previous) if previous is not None else None,
        make_band() if band == "default" else band,
    )


def test_an_offer_inside_the_band_below_midpoint_needs_only_the_hiring_manager() -> None:
    steps = demo_steps({"base_salary": Decimal(180000)})
    assert step_keys(steps) == ["hiring_manager"]
    assert steps[0].quorum == "any"
    assert steps[0].sla_hours == 8
    assert steps[0].escalate_to_role == "admin"


def test_above_midpoint_goes_to_compensation_with_the_figures_in_the_reason() -> None:
    steps = demo_steps({"base_salary": Decimal(195000)})
    assert step_keys(steps) == ["hiring_manager", "compensation"]
    assert steps[1].reasons == ["Base salary $195,000.00 is above the band midpoint $187,500.00"]


def test_over_band_max_needs_two_compensation_approvers() -> None:
    steps = demo_steps({"base_salary": Decimal(215000)})
    assert step_keys(steps) == ["hiring_manager", "compensation", "band_exception"]
    exception = steps[2]
    assert exception.quorum == 2
    assert exception.approver_role == "compensation"
    assert exception.sla_hours == 24
    assert "over the band maximum $210,000.00" in exception.reasons[0]


def test_no_band_is_a_band_exception() -> None:
    steps = demo_steps({"base_salary": Decimal(150000)}, band=None)
    assert step_keys(steps) == ["hiring_manager", "band_exception"]
    assert steps[1].reasons == ["No salary band is known for this role and currency"]


@pytest.mark.parametrize(
    ("overrides", "reason_part"),
    [
        ({"sign_on_bonus": Decimal(25000)}, "Sign-on bonus $25,000.00 is over the 20,000 threshold"),
        ({"currency": "GBP", "jurisdiction": "GB", "sign_on_bonus": Decimal(16000)}, "over the 15,000 threshold"),
        ({"equity_units": 4500}, "Equity 4,500 units is over the IC5 grid of 4,000"),
        ({"relocation": Decimal(20000)}, "Relocation $20,000.00 is over the 15,000 cap"),
        ({"bonus_target_percent": Decimal(25)}, "Bonus target 25% is above 20%"),
    ],
)
def test_compensation_thresholds(overrides: dict[str, Any], reason_part: str) -> None:
    band = make_band(currency=overrides.get("currency", "USD"))
    steps = demo_steps({"base_salary": Decimal(170000), **overrides}, band=band)
    assert "compensation" in step_keys(steps)
    assert any(reason_part in r for r in steps[step_keys(steps).index("compensation")].reasons)


def test_sign_on_at_the_threshold_needs_no_compensation_step() -> None:
    assert step_keys(demo_steps({"base_salary": Decimal(170000), "sign_on_bonus": Decimal(20000)})) == [
        "hiring_manager"
    ]


@pytest.mark.parametrize(("weeks", "fires"), [(1, False), (2, False), (3, True), (-3, True)])
def test_start_date_moved_more_than_two_weeks(weeks: int, fires: bool) -> None:
    before = date(2027, 2, 1)
    steps = demo_steps(
        {"base_salary": Decimal(170000), "start_date": before + timedelta(weeks=weeks)},
        previous={"base_salary": Decimal(170000), "start_date": before},
    )
    assert ("recruiting_ops" in step_keys(steps)) is fires


def test_start_date_rule_needs_a_previous_version() -> None:
    assert "recruiting_ops" not in step_keys(demo_steps({"base_salary": Decimal(170000)}))


@pytest.mark.parametrize(
    ("overrides", "reason_part"),
    [
        ({"special_terms": "Visa sponsorship (H-1B transfer)"}, "Non-standard terms: Visa sponsorship"),
        ({"work_arrangement": WorkArrangement.REMOTE, "department": "Sales"}, "Remote work is an exception"),
        ({"jurisdiction": "DE", "currency": "EUR"}, "Hiring in DE"),
    ],
)
def test_legal_review_rules(overrides: dict[str, Any], reason_part: str) -> None:
    steps = demo_steps({"base_salary": Decimal(170000), **overrides})
    assert step_keys(steps)[-1] == "legal"
    assert any(reason_part in r for r in steps[-1].reasons)


def test_remote_in_an_eligible_department_is_not_an_exception() -> None:
    steps = demo_steps({"base_salary": Decimal(170000), "work_arrangement": WorkArrangement.REMOTE})
    assert "legal" not in step_keys(steps)


# -- the rule language, in a company's own policy ------------------------------------------------------------
RULE_CASES: list[tuple[str, dict[str, Any], bool]] = [
    ('{ term = "sign_on_bonus", op = ">", value = 15000 }', {}, False),
    ('{ term = "sign_on_bonus", op = ">=", value = 15000 }', {}, True),
    ('{ term = "base_salary", op = "<", value_of = "band.midpoint" }', {}, True),
    ('{ term = "pto_days", op = "<=", value = 19 }', {}, False),
    ('{ term = "work_arrangement", op = "==", value = "hybrid" }', {}, True),
    ('{ term = "currency", op = "!=", value = "USD" }', {}, False),
    ('{ term = "jurisdiction", op = "in", value = ["US-CA", "US-WA"] }', {}, True),
    ('{ term = "jurisdiction", op = "not in", value = ["US-CA"] }', {}, False),
    ('{ term = "special_terms", op = "contains", value = "VISA" }', {"special_terms": "visa transfer"}, True),
    ('{ term = "special_terms", op = "is_set" }', {}, False),
    ('{ term = "relocation", op = "is_not_set" }', {"relocation": None}, True),
    ('{ term = "base_salary", op = "changed" }', {}, True),
    ('{ term = "start_date", op = ">", value = 2027-01-15 }', {}, True),
    ('{ all = [{ term = "country", op = "==", value = "US" }, { expr = "equity_units > 3000" }] }', {}, True),
    ('{ any = [{ term = "title", op = "==", value = "CEO" }, { term = "level", op = "==", value = "X" }] }', {}, False),
    ('{ not = { term = "country", op = "==", value = "GB" } }', {}, True),
    ('"base_salary * 1.10 > band.max"', {}, False),
    ('"percent_of(base_salary - band.min, band.max - band.min) >= 40"', {}, True),
    ("\"matches(title, 'senior *') and lower(department) == 'engineering'\"", {}, True),
    ("\"days_between(expiry_date, start_date) > 30 and add_days(start_date, 7) > date('2027-02-07')\"", {}, True),
    ('"coalesce(relocation, 0) + coalesce(sign_on_bonus, 0) > 20000"', {}, True),
    ('"max(sign_on_bonus, relocation, none) == 15000 and min(none, 3) == 3"', {}, True),
    ("\"round(weeks_between(date('2027-01-01'), start_date), 1) == 4.4\"", {}, True),
    ('"grid.cap > 10"', {}, True),
    ('"-pto_days < 0 and not (pto_days > 100)"', {}, True),
    ('"previous.base_salary < base_salary"', {}, True),
    ('"band.max > 1000000"', {}, False),
]


@pytest.mark.parametrize(("when", "overrides", "fires"), RULE_CASES)
def test_every_rule_kind(tmp_path: Path, when: str, overrides: dict[str, Any], fires: bool) -> None:
    path = write_policy(tmp_path, f"""
        [[grids.cap]]
        match = {{ title = "Senior*" }}
        value = 20
        [[approvals.steps]]
        key = "check"
        name = "Check"
        approver_role = "admin"
        quorum = "all"
        sla_hours = 4
          [[approvals.steps.rules]]
          when = {when}
          reason = "fired"
    """)  # fmt: skip
    policy = load_policy(path)
    terms = make_terms(**overrides)
    previous = make_terms(base_salary=Decimal(180000))
    steps = policy.approval_steps(terms, previous, make_band())
    assert (step_keys(steps) == ["check"]) is fires
    if fires:
        assert steps[0].quorum == "all"
        assert steps[0].reasons == ["fired"]


def test_missing_values_never_fire_ordering_comparisons(tmp_path: Path) -> None:
    path = write_policy(tmp_path, """
        [[approvals.steps]]
        key = "x"
        name = "X"
        approver_role = "legal"
        sla_hours = 1
          [[approvals.steps.rules]]
          when = "relocation > 0 or band.max < base_salary or previous.start_date != none"
          reason = "r"
    """)  # fmt: skip
    assert load_policy(path).approval_steps(make_terms(relocation=None), None, None) == []


def test_a_rule_that_fails_on_an_offer_names_its_key(tmp_path: Path) -> None:
    path = write_policy(tmp_path, """
        [[approvals.steps]]
        key = "x"
        name = "X"
        approver_role = "legal"
        sla_hours = 1
          [[approvals.steps.rules]]
          when = "start_date > 5"
          reason = "r"
    """)  # fmt: skip
    with pytest.raises(PolicyError, match=r"approvals\.steps\[0\]\.rules\[0\]\.when"):
        load_policy(path).approval_steps(make_terms(), None, None)


@pytest.mark.parametrize(
    "source", ["__import__('os').system('true')", "().__class__", "base_salary.__class__", "lambda: 1", "1 +", "a b"]
)
def test_expressions_are_parsed_not_evaluated_by_python(source: str) -> None:
    with pytest.raises(ExpressionError):
        parse(source)


# -- invalid policies ----------------------------------------------------------------------------------------
STEP = """
[[approvals.steps]]
key = "s"
name = "S"
approver_role = "{role}"
quorum = {quorum}
sla_hours = {sla}
  [[approvals.steps.rules]]
  when = {when}
  reason = "r"
"""


def step(role: str = "admin", quorum: str = '"any"', sla: str = "4", when: str = "true") -> str:
    return STEP.format(role=role, quorum=quorum, sla=sla, when=when)


INVALID: list[tuple[str, str, str]] = [
    ("toml", "[policy\nbroken", "not valid TOML"),
    ("unknown section", "[salaries]\nx = 1", "salaries"),
    ("role", step(role="ceo"), "approvals.steps[0].approver_role"),
    ("quorum zero", step(quorum="0"), "approvals.steps[0].quorum"),
    ("quorum word", step(quorum='"most"'), "approvals.steps[0].quorum"),
    ("sla", step(sla="-1"), "approvals.steps[0].sla_hours"),
    ("unknown name", step(when='"base_salry > 1"'), "approvals.steps[0].rules[0].when: unknown name(s) base_salry"),
    ("unknown grid", step(when='"sign_on_bonus > grid.nope"'), "unknown name(s) grid.nope"),
    ("unknown function", step(when='"eval(base_salary)"'), "unknown function 'eval'"),
    ("syntax", step(when='"base_salary >"'), "approvals.steps[0].rules[0].when"),
    ("bad op", step(when='{ term = "base_salary", op = "~", value = 1 }'), "a condition table needs"),
    ("op value", step(when='{ term = "base_salary", op = ">" }'), "exactly one of `value` or `value_of`"),
    ("band order", '[[bands.ranges]]\nminimum = 5\nmaximum = 1\ncurrency = "USD"', "bands.ranges[0]"),
    ("band currency", '[[bands.ranges]]\nminimum = 1\nmaximum = 5\ncurrency = "DOLLARS"', "bands.ranges[0].currency"),
    ("match term", '[[grids.g]]\nmatch = { salary = "1" }\nvalue = 1', "grids.g[0].match.salary: unknown term"),
    ("clause id", '[[clauses]]\nid = "Bad Id"\ntitle = "t"\ntext = "x"', "clauses[0].id"),
    ("clause text", '[[clauses]]\nid = "c"\ntitle = "t"\ntext = "{{ terms.x "', "clauses[0].text: template error"),
    ("clause where", '[[clauses]]\nid = "c"\ntitle = "t"\ntext = "x"\nrequired_in = ["California"]', "clauses[0].required_in"),  # noqa: E501
    ("clause previous", '[[clauses]]\nid = "c"\ntitle = "t"\ntext = "x"\nrequired_in = ["*"]\nwhen = "changed(title)"', "clauses[0].when"),  # noqa: E501
    ("duplicate clause", '[[clauses]]\nid = "c"\ntitle = "t"\ntext = "x"\n[[clauses]]\nid = "c"\ntitle = "u"\ntext = "y"', "clauses[1].id"),  # noqa: E501
    ("duplicate step", step() + step(), "approvals.steps[1].key"),
    ("template clause", '[[letters.templates]]\nid = "b"\nhtml = "builtin:offer_letter.html.j2"\nclauses = ["nope"]', "letters.templates[1].clauses"),  # noqa: E501
    ("template file", '[[letters.templates]]\nid = "b"\nhtml = "missing.html.j2"', "letters.templates[1].html"),
    ("css file", '[[letters.templates]]\nid = "b"\nhtml = "builtin:offer_letter.html.j2"\ncss = "nope.css"', "letters.templates[1].css"),  # noqa: E501
    ("two defaults", '[[letters.templates]]\nid = "b"\nhtml = "builtin:offer_letter.html.j2"\ndefault = true', "at most one template"),  # noqa: E501
    ("negotiation term", '[negotiation.terms.salary]\nceiling = "1"', "negotiation.terms.salary: unknown term"),
    ("negotiation name", '[negotiation.terms.base_salary]\nceiling = "previous.base_salary"', "negotiation.terms.base_salary.ceiling"),  # noqa: E501
    ("color", '[letterhead]\naccent_color = "blue"', "letterhead.accent_color"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "key"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_policy_raises_a_policy_error_naming_the_key(tmp_path: Path, case: str, body: str, key: str) -> None:
    path = write_policy(tmp_path, body)
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert key in str(raised.value), f"{case}: {raised.value}"
    assert str(raised.value).startswith("policy.toml:")


def test_missing_sections_are_named(tmp_path: Path) -> None:
    path = write_policy(tmp_path, '[policy]\ncompany = "X"\nversion = "1"\n', minimal=False)
    with pytest.raises(PolicyError, match="letters"):
        load_policy(path)


def test_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "nope.toml")


def test_demo_policy_file_is_the_one_in_the_repository() -> None:
    assert demo_policy().source == DEMO_POLICY
