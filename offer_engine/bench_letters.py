"""Benchmark of the letter path: render → compliance check → PDF, p50/p95 per stage and end to end.

Prints figures; asserts nothing (speed is reported, never tested). `measure_letter_path` times one run, so a
caller that adds stages (e.g. the iCIMS fetch) can wrap it and merge its own timings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from babel.numbers import get_territory_currencies
from pydantic import BaseModel, ConfigDict

from offer_engine.analytics import percentile
from offer_engine.compliance import check_letter
from offer_engine.letters import LetterContext, render_letter, write_pdf
from offer_engine.narrative import NarrativeWriter, TemplateNarrativeWriter
from offer_engine.policy import Band, CompanyPolicy, load_policy
from offer_engine.terms import OfferTerms, WorkArrangement

STAGES = ("render", "compliance", "pdf")
DEFAULT_JURISDICTIONS = ("US-CA", "US-NY", "US-CO", "US-TX", "GB")


class LetterCase(BaseModel):
    model_config = ConfigDict(frozen=True)

    terms: OfferTerms
    context: LetterContext


class StageFigures(BaseModel):
    stage: str
    runs: int
    p50_ms: float
    p95_ms: float
    max_ms: float


class LetterBenchReport(BaseModel):
    stages: list[StageFigures]
    pdf_bytes: int
    failed_checks: int = 0


def measure_letter_path(
    case: LetterCase, policy: CompanyPolicy, writer: NarrativeWriter, today: date
) -> tuple[dict[str, float], int, bool]:
    """One run: seconds per stage, the PDF size and whether the compliance check passed."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    rendered = render_letter(case.terms, policy, case.context, writer)
    timings["render"] = time.perf_counter() - started
    mark = time.perf_counter()
    report = check_letter(rendered, case.terms, policy, today)
    timings["compliance"] = time.perf_counter() - mark
    mark = time.perf_counter()
    pdf = write_pdf(rendered)
    timings["pdf"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return timings, len(pdf), report.passed


def sample_cases(today: date, jurisdictions: Sequence[str] = DEFAULT_JURISDICTIONS) -> list[LetterCase]:
    """Representative offers (every optional term set) in each jurisdiction, in its country's currency."""
    cases = []
    for index, jurisdiction in enumerate(jurisdictions):
        country = jurisdiction.split("-")[0]
        currency = (get_territory_currencies(country, start_date=today) or ["USD"])[0]
        base = Decimal(120000 + 10000 * index)
        terms = OfferTerms(
            title="Senior Software Engineer",
            department="Engineering",
            location=f"Office {index + 1}",
            jurisdiction=jurisdiction,
            currency=currency,
            base_salary=base,
            bonus_target_percent=Decimal(10),
            sign_on_bonus=Decimal(10000),
            equity_units=3000,
            vesting_schedule="over four years with a one-year cliff",
            start_date=today + timedelta(days=60),
            work_arrangement=WorkArrangement.HYBRID,
            relocation=Decimal(8000),
            pto_days=25,
            reports_to="Jamie Doe",
            expiry_date=today + timedelta(days=14),
        )
        context = LetterContext(
            candidate_name="Alex Example",
            candidate_address=["1 Example Street", "Example City"],
            company_name="Example Company",
            company_address=["100 Main Street", "Example City"],
            manager_name="Jamie Doe",
            manager_title="Engineering Manager",
            recruiter_name="Sam Recruiter",
            recruiter_email="sam@example.com",
            today=today,
            job_band=Band(minimum=base * Decimal("0.9"), maximum=base * Decimal("1.2"), currency=currency),
        )
        cases.append(LetterCase(terms=terms, context=context))
    return cases


def run_letter_benchmark(
    policy_path: Path,
    runs: int = 30,
    cases: Sequence[LetterCase] | None = None,
    writer: NarrativeWriter | None = None,
    today: date | None = None,
) -> LetterBenchReport:
    """Render, check and print `runs` letters (cycling over the cases) after one warm-up run per case."""
    policy = load_policy(policy_path)
    today = today or date.today()
    chosen = list(cases or sample_cases(today))
    writer = writer or TemplateNarrativeWriter()
    for case in chosen:  # warm-up: fonts, regexes and Babel data are loaded once per process
        measure_letter_path(case, policy, writer, today)
    samples: dict[str, list[float]] = {stage: [] for stage in (*STAGES, "total")}
    size, failed = 0, 0
    for run in range(runs):
        timings, size, passed = measure_letter_path(chosen[run % len(chosen)], policy, writer, today)
        failed += not passed
        for stage, seconds in timings.items():
            samples[stage].append(seconds)
    figures = [
        StageFigures(
            stage=stage,
            runs=len(values),
            p50_ms=round(percentile(values, 50) * 1000, 1),
            p95_ms=round(percentile(values, 95) * 1000, 1),
            max_ms=round(max(values) * 1000, 1),
        )
        for stage, values in samples.items()
        if values
    ]
    return LetterBenchReport(stages=figures, pdf_bytes=size, failed_checks=failed)


def print_report(report: LetterBenchReport, echo: Callable[[str], None] = print) -> None:
    echo(f"{'stage':<12}{'runs':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for row in report.stages:
        echo(f"{row.stage:<12}{row.runs:>6}{row.p50_ms:>10.1f}{row.p95_ms:>10.1f}{row.max_ms:>10.1f}")
    echo(f"last PDF: {report.pdf_bytes:,} bytes; letters failing compliance: {report.failed_checks}")


def bench_letters(policy_path: Path, runs: int = 30, echo: Callable[[str], None] = print) -> LetterBenchReport:
    """Run the letter benchmark on sample offers and print the figures (what `offer-assistant bench` calls)."""
    report = run_letter_benchmark(policy_path, runs=runs)
    print_report(report, echo)
    return report
