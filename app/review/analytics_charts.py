"""Offer analytics as pictures for review mode: time to offer, approval time per step, counter-offer rate.

The same figures stay tables in the CLI (`offer-assistant analytics`, `--json`); here people look at them.
"""

from __future__ import annotations

from app.review.charts import Bar, BarRow, Svg, bar_chart
from offer_engine.analytics import DurationStats, OfferAnalytics, Rate

TYPICAL, SLOW = ("Typical (median)", False), ("Slowest 5 % (p95)", True)


def duration(seconds: float) -> str:
    """A duration as people say it: "40 s", "12 min", "3.5 h", "2.1 days"."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _pair(label: str, stats: DurationStats) -> BarRow | None:
    if stats.count == 0 or stats.p50_seconds is None or stats.p95_seconds is None:
        return None
    typical, slow = stats.p50_seconds, stats.p95_seconds
    return BarRow(label, (Bar(typical, duration(typical)), Bar(slow, duration(slow), light=True)))


def _rows(pairs: list[tuple[str, DurationStats]]) -> list[BarRow]:
    return [row for label, stats in pairs if (row := _pair(label, stats)) is not None]


def _rate(label: str, rate: Rate) -> BarRow | None:
    if rate.value is None:
        return None
    return BarRow(label, (Bar(rate.value * 100, f"{rate.value:.0%} ({rate.numerator} of {rate.denominator})"),))


def charts(report: OfferAnalytics, step_names: dict[str, str]) -> list[tuple[str, Svg]]:
    """(title, chart) for each picture; `step_names` names the policy's approval steps by key."""
    time_to_offer = _rows(
        [
            ("iCIMS notice → letter drafted", report.webhook_to_draft),
            ("Letter drafted → approved", report.draft_to_approval),
            ("iCIMS notice → approved", report.webhook_to_approval),
        ]
    )
    steps = _rows(
        [
            *(
                (step_names.get(key, key.replace("_", " ").capitalize()), s)
                for key, s in report.approval_step_cycle.items()
            ),
            ("Whole approval", report.approval_request_cycle),
        ]
    )
    rates = [
        row
        for row in (
            _rate("Offers with a counter-offer", report.counter_rate),
            _rate("Offers accepted", report.acceptance_rate),
        )
        if row is not None
    ]
    return [
        ("Time to offer", bar_chart("Time to offer", time_to_offer, (TYPICAL, SLOW))),
        ("Approval time per step", bar_chart("Approval time per step", steps, (TYPICAL, SLOW))),
        ("Counter-offer rate", bar_chart("Counter-offer rate", rates, full_scale=100)),
    ]


def summary_markdown(report: OfferAnalytics) -> str:
    rounds = report.rounds_to_close
    lines = [f"### Offer analytics\nAcross {report.offers} offer(s)."]
    if rounds.closed_offers and rounds.mean_counters is not None:
        lines.append(
            f"Offers the candidate answered took {rounds.mean_counters:.1f} counter-offer(s) on average "
            f"({rounds.closed_offers} answered)."
        )
    lines.append("For the figures as a table, run `offer-assistant analytics` (or `--json`).")
    return "\n\n".join(lines)
