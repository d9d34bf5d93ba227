"""How review data looks to staff: Markdown in plain words (term labels from the catalogue, states and kinds from
`wording`), and the data behind the band and analytics charts (`charts`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.review import wording
from app.review.charts import BandPoints
from app.review.detail import OfferDetail
from app.security.text import plain
from offer_engine.analytics import DurationStats, OfferAnalytics, Rate
from offer_engine.catalogue import staff_label
from offer_engine.columns import as_utc
from offer_engine.compensation import CounterAnalysis
from offer_engine.letters.values import format_term
from offer_engine.money import format_money, locale_for
from offer_engine.notifications import CANDIDATE_KINDS, LABELS, Notification, Preference
from offer_engine.outbox import SyncJob
from offer_engine.policy import ApprovalStepSpec
from offer_engine.review_queue import ItemKind, QueueItem
from offer_engine.signatures import LetterSignature
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


def queue_markdown(items: list[QueueItem], now: datetime, label: Callable[[str], str] = staff_label) -> str:
    if not items:
        return "### Review queue\nNothing is waiting for you."
    rows: list[tuple[Any, ...]] = [
        (
            i + 1,
            plain(item.candidate),
            plain(item.title or "—"),
            asked(item, label),
            wording.age(item.opened_at, now),
            wording.due(item.due_at, now),
            item.holder,
        )
        for i, item in enumerate(items)
    ]
    headers = ["#", "Candidate", "Job", "What is asked", "Waiting", "SLA", "Taken by"]
    if not any(item.holder for item in items):  # the column only when someone has taken an item
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    return "### Review queue (most urgent first)\n" + table(headers, rows)


def asked(item: QueueItem, label: Callable[[str], str] = staff_label) -> str:
    """What a queue item asks of the reviewer, in words."""
    kind, terms = item.kind, ", ".join(label(t) for t in item.terms)
    version = f"revision {item.version_number}" if (item.version_number or 0) > 1 else "the initial draft"
    if kind is ItemKind.DRAFT:
        return f"Review {version}"
    if kind is ItemKind.NEEDS_DATA:
        return f"Waiting for {terms or 'offer data'} in iCIMS"
    if kind is ItemKind.COUNTER:
        return f"Counter-offer C-{item.number}: {terms}" if item.number else f"Counter-offer: {terms}"
    if kind is ItemKind.APPROVAL:
        return f"Approve {version}: {plain(item.summary.split(' for v')[0])}"
    if kind is ItemKind.SYNC_FAILED:
        what = wording.words(wording.JOB_KINDS, item.job_kind or "")
        if item.job_state == "held":
            return f"iCIMS was changed since the draft: choose what it keeps ({what[:1].lower()}{what[1:]})"
        return f"iCIMS did not take the {what[:1].lower()}{what[1:]}"
    return f"{KIND_LABELS.get(kind.value, kind.value)}: {plain(item.summary)}"  # the candidate's words, as typed


def events_without_draft_markdown(events: list[WebhookEvent]) -> str:
    """A warning above the queue: iCIMS events that ended without a draft, and why (empty when there are none)."""
    if not events:
        return ""
    rows = [(when(e.processed_at), e.attempts, e.error or "—") for e in events]
    return (
        f"### ⚠ {len(events)} iCIMS event(s) ended without a draft\n"
        + table(["Ended", "Attempts", "Reason"], rows)
        + "\n\nFix the cause, then retry (button below, or `offer-assistant events retry --all`).\n\n"
    )


def shown(name: str, value: Any, terms: OfferTerms) -> str:
    return format_term(name, value, terms.currency, locale_for(terms.jurisdiction)) or cell(value)


def terms_markdown(detail: OfferDetail) -> str:
    terms = detail.terms
    if terms is None or detail.version is None:
        missing = ", ".join(detail.label(str(m.get("term"))) for m in detail.offer.missing) or "the offer's terms"
        return f"No terms yet: waiting for {missing} in iCIMS."
    before = detail.previous.offer_terms.model_dump() if detail.previous is not None else {}
    rows = []
    for name, value in _term_values(terms.model_dump()):
        old = before.get(name, value)
        change = f"was {shown(name, old, terms)}" if detail.previous is not None and old != value else ""
        if value not in (None, "", {}) or change:
            rows.append((capitalised(detail.label(name)), shown(name, value, terms), change))
    heading = f"#### {detail.version_name(detail.version.number)}"
    if detail.previous is None:
        return heading + "\n" + table(["Term", "Value"], [row[:2] for row in rows])
    return heading + "\n" + table(["Term", "Value", f"Before ({detail.version_name(detail.previous.number)})"], rows)


def _term_values(dumped: dict[str, Any]) -> list[tuple[str, Any]]:
    """The offer's terms with a tenant's own terms (kept under `custom`) listed beside the built-in ones."""
    custom = dumped.pop("custom", None) or {}
    return [*dumped.items(), *custom.items()]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def diff_markdown(detail: OfferDetail) -> str:
    if detail.version is None or detail.terms is None or not detail.version.diff or detail.previous is None:
        return "This is the first version: nothing to compare."
    terms = detail.terms
    rows = [
        (capitalised(detail.label(name)), shown(name, change.get("from"), terms), shown(name, change.get("to"), terms))
        for name, change in sorted(detail.version.diff.items())
    ]
    previous, current = detail.version_name(detail.previous.number), detail.version_name(detail.version.number)
    return f"#### Changes from {previous} to {current}\n" + table(["Term", previous, current], rows)


def grant_prompt(detail: OfferDetail) -> str:
    """The question "Accept some / edit values" asks, with this counter-offer's own items as the example."""
    items = detail.counter.items if detail.counter is not None else []
    names = [detail.label(i.term) for i in items] or ["base salary"]
    example = ", ".join([f"{names[0]} = 190000", *names[1:2]])
    return f"Which items do you grant? e.g. `{example}` (an item alone grants what was requested)."


def steps_markdown(steps: list[ApprovalStepSpec], title: str) -> str:
    if not steps:
        return f"#### {title}\nNo approval needed."
    rows = [
        (
            s.name,
            wording.role_name(s.approver_role),
            wording.quorum(s.quorum),
            f"{s.sla_hours} h",
            "; ".join(s.reasons),
        )
        for s in steps
    ]
    return f"#### {title}\n" + table(["Step", "Who approves", "Needs", "Within", "Why"], rows)


def chain_markdown(detail: OfferDetail, now: datetime) -> str:
    chain = detail.chain
    if chain is None:
        return "#### Approvals\nNot submitted yet."
    rows = [
        (
            s.position,
            s.name,
            wording.role_name(s.approver_role),
            wording.words(wording.APPROVAL_STATES, s.state),
            when(s.due_at, now if s.state == "active" else None),
        )
        for s in chain.steps
    ]
    version = detail.version_name(chain.request.version_number)
    head = f"#### Approval of {version}: {wording.words(wording.APPROVAL_STATES, chain.request.state)}"
    return head + "\n" + table(["#", "Step", "Who approves", "Status", "Due"], rows)


def counter_markdown(detail: OfferDetail) -> str:
    view, terms = detail.counter, detail.terms
    if view is None or terms is None:
        return ""
    state = wording.words(wording.COUNTER_STATES, view.counter.state)
    head = f"#### Counter-offer C-{view.counter.number} ({state}, answer due {when(view.counter.due_at)})"
    analysed = {term_key(a.term): a for a in view.analysis.items} if view.analysis else {}
    rows = []
    for item in view.items:
        analysis = analysed.get(item.term)
        delta = _delta(item.term, analysis.delta, terms) if analysis and analysis.delta is not None else None
        suggestion = _decision(item.term, analysis.decision, analysis.suggested, terms) if analysis else None
        rows.append(
            (
                detail.label(item.term),
                shown(item.term, item.current, terms),
                shown(item.term, item.requested, terms),
                delta,
                suggestion,
            )
        )
    parts = [head, table(["Item", "Current", "Requested", "Difference", "Suggestion"], rows)]
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


def _delta(term: str, delta: Decimal, terms: OfferTerms) -> str:
    if term == "start_date":
        return f"{int(delta):+} days"
    sign = "+" if delta >= 0 else "−"
    return sign + shown(term, abs(delta), terms)


def _decision(term: str, decision: str, suggested: Any, terms: OfferTerms) -> str:
    if decision in ("counter", "accept"):
        return f"{wording.words(wording.DECISIONS, decision)}: {shown(term, suggested, terms)}"
    return wording.words(wording.DECISIONS, decision)


def suggestion_markdown(analysis: CounterAnalysis, terms: OfferTerms, label: Callable[[str], str] = staff_label) -> str:
    suggestion = analysis.suggestion
    values = ", ".join(f"{label(k)} {shown(k, v, terms)}" for k, v in suggestion.values.items())
    kind = wording.words(wording.RESPONSES, suggestion.kind)
    lines = [f"**Suggested response: {kind}**" + (f" ({values})" if values else "")]
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


def band_points(detail: OfferDetail, requested: Decimal | None) -> BandPoints | None:
    if detail.band is None or detail.terms is None:
        return None
    band = detail.band
    return BandPoints(band.minimum, band.midpoint, band.maximum, detail.terms.base_salary, requested)


def band_money(detail: OfferDetail) -> Callable[[Decimal], str]:
    currency = detail.band.currency if detail.band is not None else "USD"
    locale = locale_for(detail.terms.jurisdiction) if detail.terms is not None else "en_US"

    def money(value: Decimal) -> str:
        return format_money(Decimal(value), currency, locale).removesuffix(".00")

    return money


def jobs_markdown(jobs: list[SyncJob]) -> str:
    """What this offer has in iCIMS, in words: each write's state, the last delivery and any error."""
    if not jobs:
        return "#### iCIMS\nNothing has been sent to iCIMS for this offer yet."
    delivered = [j.delivered_at for j in jobs if j.delivered_at is not None]
    failed = [j for j in jobs if j.state == "dead"]
    waiting = [j for j in jobs if j.state in ("pending", "in_flight")]
    if failed:
        summary = f"{len(failed)} update(s) failed and need attention."
    elif waiting:
        summary = f"{len(waiting)} update(s) on the way to iCIMS."
    else:
        summary = "iCIMS holds everything sent for this offer."
    if delivered:
        summary += f" Last delivery: {when(max(delivered))}."
    rows = [
        (
            wording.words(wording.JOB_KINDS, j.kind),
            wording.words(wording.JOB_STATES, j.state),
            when(j.delivered_at),
            (j.last_error or "")[:120] or None,
        )
        for j in jobs
    ]
    return "#### iCIMS\n" + summary + "\n\n" + table(["What", "Status", "Delivered", "Problem"], rows)


def signature_line(signature: LetterSignature) -> str:
    """'Signed by <name> on <date>': the candidate's own signature of the letter (in the chat)."""
    signed = as_utc(signature.signed_at).strftime("%Y-%m-%d %H:%M UTC")
    return f"**Signed by {plain(signature.typed_name)} on {signed}** (in the chat; the signed letter is the PDF)."


def offer_markdown(detail: OfferDetail, now: datetime, icims_record: str = "") -> str:
    """The opened offer; `icims_record` (what iCIMS holds, from `conflicts`) follows the iCIMS section."""
    offer = detail.offer
    title = detail.terms.title if detail.terms is not None else None
    head = f"### {plain(detail.candidate)}" + (f" — {plain(title)}" if title else "")
    head += f"\nStatus: **{wording.words(wording.OFFER_STATES, offer.state)}**"
    if detail.letter is not None:
        head += ". Letter check: " + ("**passed**" if detail.letter.compliance_passed else "**problems found**")
    if detail.signature is not None:
        head += "\n\n" + signature_line(detail.signature)
    sections = [head, terms_markdown(detail)]
    if detail.counter is not None:
        sections.append(counter_markdown(detail))
    sections += [steps_markdown(detail.preview, "Approvals this version needs"), chain_markdown(detail, now)]
    if detail.letter is not None and detail.letter.compliance_findings:
        rows = [(f.get("message"),) for f in detail.letter.compliance_findings]
        sections.append("#### Letter check findings\n" + table(["Finding"], rows))
    for request in detail.requests:
        label = KIND_LABELS.get(request.kind, request.kind)
        state = wording.words(wording.REQUEST_STATES, request.state)
        sections.append(f"**{label}** ({state}): {plain(request.message)}")  # the candidate's words, as typed
    sections += [t for t in (jobs_markdown(detail.jobs), icims_record) if t]
    sections.append(band_markdown(detail))  # last: the band chart follows the message
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


PREFERENCE_LABELS = {
    Preference.OFF: "Off",
    Preference.IMMEDIATE: "Immediately",
    Preference.DIGEST: "Daily digest",
}


def dead_notifications_markdown(rows: list[Notification], recipients: dict[int, str]) -> str:
    """A warning above the queue: mail that could not be sent, to whom and why (empty when there is none)."""
    if not rows:
        return ""
    table_rows = [
        (
            when(r.dead_at),
            LABELS.get(r.kind, "Notification"),
            _recipient(r, recipients),
            f"offer {r.offer_id}" if r.offer_id else "—",
            r.failures,
            r.last_error or "—",
        )
        for r in rows
    ]
    return (
        f"### ⚠ {len(rows)} notification(s) could not be sent\n"
        + table(["Failed", "What", "To", "About", "Tries", "Reason"], table_rows)
        + "\n\nFix the cause (mail server, address), then retry with the button below.\n\n"
    )


def _recipient(row: Notification, recipients: dict[int, str]) -> str:
    if row.kind in {k.value for k in CANDIDATE_KINDS}:
        return "the candidate"
    return recipients.get(row.staff_user_id or 0, "a staff member")


def preference_markdown(current: Preference) -> str:
    return (
        f"Your e-mail notifications: **{PREFERENCE_LABELS[current]}**.\n\n"
        "Immediately: a mail when something waits for you. Daily digest: one mail a day listing what waits. "
        "Off: no mail (the queue still shows everything)."
    )
