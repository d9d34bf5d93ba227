"""How review data looks: Markdown tables and an inline SVG band chart (no pandas or plotly needed)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from app.review.detail import OfferDetail
from app.security.text import plain
from offer_engine.analytics import DurationStats, OfferAnalytics, Rate
from offer_engine.catalogue import staff_label
from offer_engine.compensation import CounterAnalysis
from offer_engine.letters.values import format_term
from offer_engine.money import format_money, locale_for
from offer_engine.outbox import SyncJob
from offer_engine.policy import ApprovalStepSpec, Band
from offer_engine.review_queue import QueueItem
from offer_engine.terms import OfferTerms, term_key
from offer_engine.webhook_events import WebhookEvent

KIND_LABELS = {
    "draft": "Draft ready",
    "needs_data": "Needs data",
    "counter": "Counter-offer",
    "approval": "Approval",
    "handoff": "Question",
    "accept_intent": "Wants to accept",
    "decline_intent": "Wants to decline",
    "sync_failed": "iCIMS write failed",
}


_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def cell(value: Any) -> str:
    text = "—" if value is None or value == "" else str(value)
    return _UNESCAPED_PIPE.sub(r"\\|", text).replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def when(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return "—"
    text = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"**{text} (overdue)**" if now is not None and moment < now else text


def queue_markdown(items: list[QueueItem], now: datetime) -> str:
    if not items:
        return "### Review queue\nNothing is waiting for you."
    rows = [
        (
            i + 1,
            when(item.due_at, now),
            KIND_LABELS.get(item.kind.value, item.kind.value),
            plain(item.candidate),
            plain(item.title or ""),
            plain(item.summary),
            item.holder,
        )
        for i, item in enumerate(items)
    ]
    return "### Review queue (most urgent first)\n" + table(
        ["#", "Due", "Item", "Candidate", "Role", "What", "Claimed by"], rows
    )


def events_without_draft_markdown(events: list[WebhookEvent]) -> str:
    """A warning above the queue: iCIMS events that ended without a draft, and why (empty when there are none)."""
    if not events:
        return ""
    rows = [(e.id, e.system_id or "—", when(e.processed_at), e.attempts, e.error or "—") for e in events]
    return (
        f"### ⚠ {len(events)} iCIMS event(s) ended without a draft\n"
        + table(["Event", "Workflow", "Ended", "Attempts", "Reason"], rows)
        + "\n\nFix the cause, then retry (button below, or `offer-assistant events retry --all`).\n\n"
    )


def shown(name: str, value: Any, terms: OfferTerms) -> str:
    return format_term(name, value, terms.currency, locale_for(terms.jurisdiction)) or cell(value)


def terms_markdown(detail: OfferDetail) -> str:
    terms = detail.terms
    if terms is None or detail.version is None:
        missing = ", ".join(str(m.get("term")) for m in detail.offer.missing) or "the offer's terms"
        return f"No terms yet: waiting for {missing} in iCIMS."
    before = detail.previous.offer_terms.model_dump() if detail.previous is not None else {}
    rows = []
    for name, value in terms.model_dump().items():
        old = before.get(name, value)
        change = f"was {shown(name, old, terms)}" if detail.previous is not None and old != value else ""
        if value is not None or change:
            rows.append((name, shown(name, value, terms), change))
    heading = f"#### Version {detail.version.number} ({detail.version.reason})"
    return heading + "\n" + table(["Term", "Value", f"Change from v{detail.version.number - 1}"], rows)


def diff_markdown(detail: OfferDetail) -> str:
    if detail.version is None or detail.terms is None or not detail.version.diff or detail.previous is None:
        return "This is the first version: nothing to compare."
    terms = detail.terms
    rows = [
        (name, shown(name, change.get("from"), terms), shown(name, change.get("to"), terms))
        for name, change in sorted(detail.version.diff.items())
    ]
    previous, current = detail.previous.number, detail.version.number
    return f"#### Changes v{previous} → v{current}\n" + table(["Term", f"v{previous}", f"v{current}"], rows)


def steps_markdown(steps: list[ApprovalStepSpec], title: str) -> str:
    if not steps:
        return f"#### {title}\nNo approval needed."
    rows = [(s.name, s.approver_role, s.quorum, f"{s.sla_hours} h", "; ".join(s.reasons)) for s in steps]
    return f"#### {title}\n" + table(["Step", "Role", "Quorum", "SLA", "Why"], rows)


def chain_markdown(detail: OfferDetail, now: datetime) -> str:
    chain = detail.chain
    if chain is None:
        return "#### Approvals\nNot submitted yet."
    rows = [
        (s.position, s.name, s.approver_role, s.state, when(s.due_at, now if s.state == "active" else None))
        for s in chain.steps
    ]
    head = f"#### Approvals for v{chain.request.version_number}: {chain.request.state}"
    return head + "\n" + table(["#", "Step", "Role", "State", "Due"], rows)


def counter_markdown(detail: OfferDetail) -> str:
    view, terms = detail.counter, detail.terms
    if view is None or terms is None:
        return ""
    head = f"#### Counter-offer #{view.counter.number} ({view.counter.state}, due {when(view.counter.due_at)})"
    analysed = {term_key(a.term): a for a in view.analysis.items} if view.analysis else {}
    rows = []
    for item in view.items:
        analysis = analysed.get(item.term)
        delta = f"{analysis.delta:+,}" if analysis and analysis.delta is not None else None
        suggestion = f"{analysis.decision}: {shown(item.term, analysis.suggested, terms)}" if analysis else None
        rows.append(
            (
                detail.label(item.term),
                shown(item.term, item.current, terms),
                shown(item.term, item.requested, terms),
                delta,
                suggestion,
            )
        )
    parts = [head, table(["Item", "Current", "Requested", "Delta", "Suggestion"], rows)]
    for label, text in (
        ("Rationale", view.counter.rationale),
        ("Competing offer", view.counter.competing_offer),
        ("Candidate wrote", view.counter.source_message_text),
    ):
        if text:
            parts.append(f"*{label}:* {plain(text)}")  # the candidate's words: shown as typed, never as Markdown
    if view.analysis is not None:
        parts.append(suggestion_markdown(view.analysis, terms, detail.label))
    if view.analysis_error:
        parts.append(f"Analysis unavailable: {view.analysis_error}")
    return "\n\n".join(parts)


def suggestion_markdown(analysis: CounterAnalysis, terms: OfferTerms, label: Callable[[str], str] = staff_label) -> str:
    suggestion = analysis.suggestion
    values = ", ".join(f"{label(k)} {shown(k, v, terms)}" for k, v in suggestion.values.items())
    lines = [f"**Suggested response: {suggestion.kind}**" + (f" ({values})" if values else "")]
    lines += [f"- {reason}" for reason in suggestion.reasons]
    lines += [f"- ⚖ legal review: {label(term_key(flag.term))}: {flag.reason}" for flag in analysis.legal_review]
    lines.append(steps_markdown(analysis.approval_preview, "Approvals accepting everything would trigger"))
    lines.append(steps_markdown(suggestion.approval_preview, "Approvals the suggested response would trigger"))
    return "\n".join(lines)


def band_markdown(detail: OfferDetail) -> str:
    if detail.band is None or detail.position is None or detail.terms is None:
        return "#### Band\nNo salary band is known for this role."
    band, pos, terms = detail.band, detail.position, detail.terms

    def money(value: Decimal) -> str:
        return format_money(Decimal(value), band.currency, locale_for(terms.jurisdiction))

    rows = [
        (
            money(band.minimum),
            money(band.midpoint),
            money(band.maximum),
            money(terms.base_salary),
            f"{pos.compa_ratio}",
            f"{pos.percent_of_range}%",
        )
    ]
    return "#### Band position\n" + table(["Min", "Midpoint", "Max", "Base", "Compa-ratio", "% of range"], rows)


def band_svg(band: Band, current: Decimal, requested: Decimal | None = None, width: int = 560) -> str:
    """A horizontal band (min to max, midpoint marked) with the current and requested base as markers."""
    values = [band.minimum, band.maximum, current] + ([requested] if requested is not None else [])
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    pad, bar_y = 40, 40

    def x(value: Decimal) -> float:
        return pad + float((value - low) / span) * (width - 2 * pad)

    def marker(value: Decimal, label: str, colour: str, dy: int) -> str:
        return (
            f'<line x1="{x(value):.1f}" y1="{bar_y - 14}" x2="{x(value):.1f}" y2="{bar_y + 26}" '
            f'stroke="{colour}" stroke-width="3"/><text x="{x(value):.1f}" y="{bar_y + 26 + dy}" '
            f'font-size="12" text-anchor="middle" fill="{colour}">{escape(label)}</text>'
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="110" viewBox="0 0 {width} 110">',
        f'<rect x="{x(band.minimum):.1f}" y="{bar_y}" width="{x(band.maximum) - x(band.minimum):.1f}" height="12" '
        'fill="#c7d7ea" rx="3"/>',
        f'<line x1="{x(band.midpoint):.1f}" y1="{bar_y - 4}" x2="{x(band.midpoint):.1f}" y2="{bar_y + 16}" '
        'stroke="#1f3a5f" stroke-dasharray="3,2"/>',
        _label(x(band.minimum), bar_y - 8, f"min {band.minimum:,}"),
        _label(x(band.maximum), bar_y - 8, f"max {band.maximum:,}"),
        marker(current, f"current {current:,}", "#2e7d32", 16),
    ]
    if requested is not None:
        parts.append(marker(requested, f"requested {requested:,}", "#c62828", 30))
    parts.append("</svg>")
    return "".join(parts)


def _label(x: float, y: int, text: str) -> str:
    return f'<text x="{x:.1f}" y="{y}" font-size="11" text-anchor="middle">{escape(text)}</text>'


def jobs_markdown(jobs: list[SyncJob]) -> str:
    if not jobs:
        return "#### iCIMS sync\nNothing queued for iCIMS yet."
    rows = [(j.id, j.kind, j.state, j.attempts, when(j.delivered_at), (j.last_error or "")[:80]) for j in jobs]
    return "#### iCIMS sync\n" + table(["Job", "Write", "State", "Attempts", "Delivered", "Last error"], rows)


def offer_markdown(detail: OfferDetail, now: datetime) -> str:
    offer = detail.offer
    head = f"### {detail.candidate} — offer {offer.id} (workflow {offer.workflow_id})\nState **{offer.state}**"
    if detail.letter is not None:
        head += f", letter compliance **{'passed' if detail.letter.compliance_passed else 'FAILED'}**"
    sections = [head, terms_markdown(detail), band_markdown(detail)]
    if detail.counter is not None:
        sections.append(counter_markdown(detail))
    sections += [steps_markdown(detail.preview, "Approvals this version needs"), chain_markdown(detail, now)]
    if detail.letter is not None and detail.letter.compliance_findings:
        rows = [(f.get("code"), f.get("clause_id"), f.get("message")) for f in detail.letter.compliance_findings]
        sections.append("#### Compliance findings\n" + table(["Code", "Clause", "Finding"], rows))
    for request in detail.requests:
        label = KIND_LABELS.get(request.kind, request.kind)
        sections.append(f"**{label}** ({request.state}): {plain(request.message)}")  # the candidate's words, as typed
    sections.append(jobs_markdown(detail.jobs))
    return "\n\n".join(sections)


def _stats_row(name: str, stats: DurationStats) -> tuple[Any, ...]:
    def fmt(value: float | None) -> str:
        if value is None:
            return "—"
        return (
            f"{value / 3600:.1f} h" if value >= 3600 else f"{value / 60:.1f} min" if value >= 60 else f"{value:.1f} s"
        )

    return (name, stats.count, fmt(stats.p50_seconds), fmt(stats.p95_seconds), fmt(stats.mean_seconds))


def analytics_markdown(report: OfferAnalytics) -> str:
    rows = [
        _stats_row("webhook → draft", report.webhook_to_draft),
        _stats_row("webhook → approval", report.webhook_to_approval),
        _stats_row("draft → approval", report.draft_to_approval),
        _stats_row("approval request cycle", report.approval_request_cycle),
        *(_stats_row(f"step: {key}", stats) for key, stats in report.approval_step_cycle.items()),
    ]

    def rate(r: Rate) -> str:
        return "—" if r.value is None else f"{r.value:.0%} ({r.numerator}/{r.denominator})"

    rounds = report.rounds_to_close
    return "\n\n".join(
        [
            f"### Offer analytics ({report.offers} offers)",
            table(["Measure", "Count", "p50", "p95", "Mean"], rows),
            table(
                ["Rate", "Value"],
                [
                    ("counter rate", rate(report.counter_rate)),
                    ("acceptance rate", rate(report.acceptance_rate)),
                    ("mean counters to close", rounds.mean_counters),
                    ("mean versions to close", rounds.mean_versions),
                ],
            ),
        ]
    )
