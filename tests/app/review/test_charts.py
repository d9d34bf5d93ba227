"""Review mode's charts and words: what the SVG says and how items read (no ids, keys or formulas)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.review import analytics_charts, wording
from app.review.charts import BandPoints, band_chart
from app.review.pictures import letter_pages
from app.review.views import asked
from offer_engine.analytics import DurationStats, OfferAnalytics, Rate, RoundsToClose
from offer_engine.review_queue import ItemKind, QueueItem

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def money(value: Decimal) -> str:
    return f"${value:,.0f}"


def item(kind: ItemKind, **asked_for: object) -> QueueItem:
    return QueueItem(kind=kind, ref_id=7, offer_id=3, workflow_id=3401, candidate="Maya Patel", title="Engineer",
                     due_at=NOW + timedelta(hours=5), summary="counter #1 on v1: base_salary", **asked_for)  # fmt: skip


def test_the_band_chart_names_min_mid_max_current_and_requested_on_its_own_white_card() -> None:
    points = BandPoints(Decimal(165000), Decimal(187500), Decimal(210000), Decimal(185000), Decimal(222000))
    svg = band_chart(points, money)
    for label in ("Min $165,000", "Midpoint $187,500", "Max $210,000", "Current $185,000", "Requested $222,000"):
        assert label in svg.text
    assert "fill='#ffffff'" in svg.text  # its own background: legible in the dark theme too
    assert svg.width >= 600
    assert svg.height >= 150
    assert "Requested" not in band_chart(BandPoints(*[Decimal(v) for v in (1, 2, 3, 2)]), money).text


def test_queue_items_say_what_is_asked_with_term_labels() -> None:
    assert asked(item(ItemKind.COUNTER, terms=["base_salary", "sign_on_bonus"], number=1)) == (
        "Counter-offer C-1: base salary, sign-on bonus"
    )
    assert asked(item(ItemKind.DRAFT, version_number=1)) == "Review the initial draft"
    assert asked(item(ItemKind.DRAFT, version_number=3)) == "Review revision 3"
    assert asked(item(ItemKind.SYNC_FAILED, job_kind="upload_letter")) == "iCIMS did not take the offer letter (PDF)"
    assert asked(item(ItemKind.NEEDS_DATA, terms=["start_date"])) == "Waiting for start date in iCIMS"


def test_ages_and_slas_read_as_people_say_them() -> None:
    assert wording.age(NOW - timedelta(minutes=25), NOW) == "25 min"
    assert wording.age(NOW - timedelta(hours=3), NOW) == "3 h"
    assert wording.age(NOW - timedelta(days=3), NOW) == "3 days"
    assert wording.due(NOW + timedelta(hours=5), NOW) == "5 h left"
    assert wording.due(NOW - timedelta(hours=2), NOW) == "**overdue 2 h**"
    assert wording.words(wording.JOB_KINDS, "new_kind_nobody_worded") == "new kind nobody worded"


def test_analytics_charts_show_time_to_offer_steps_and_the_counter_rate() -> None:
    stats = DurationStats(count=3, p50_seconds=5400.0, p95_seconds=30000.0, mean_seconds=9000.0)
    report = OfferAnalytics(
        offers=5, webhook_to_draft=stats, webhook_to_approval=DurationStats(), draft_to_approval=stats,
        approval_request_cycle=stats, approval_step_cycle={"hiring_manager": stats},
        counter_rate=Rate(numerator=2, denominator=5), rounds_to_close=RoundsToClose(),
        acceptance_rate=Rate(numerator=0, denominator=0),
    )  # fmt: skip
    charts = dict(analytics_charts.charts(report, {"hiring_manager": "Hiring manager sign-off"}))
    assert list(charts) == ["Time to offer", "Approval time per step", "Counter-offer rate"]
    assert "1.5 h" in charts["Time to offer"].text
    assert "8.3 h" in charts["Time to offer"].text
    assert "Hiring manager sign-off" in charts["Approval time per step"].text
    assert "hiring_manager" not in charts["Approval time per step"].text
    assert "40% (2 of 5)" in charts["Counter-offer rate"].text
    assert (
        "No data yet."
        in analytics_charts.charts(
            OfferAnalytics.model_validate(
                {**report.model_dump(), "approval_step_cycle": {}, "approval_request_cycle": {}}
            ),
            {},
        )[1][1].text
    )


def test_a_letter_that_cannot_be_rendered_as_pages_falls_back_to_the_pdf_viewer() -> None:
    assert letter_pages(b"%PDF-1.7 this is not a real PDF") == []
