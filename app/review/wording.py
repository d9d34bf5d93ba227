"""The review mode's words for the engine's states and kinds: what a recruiter reads instead of `in_review`,
`upload_letter` or "v2". Term labels are not here: they come from the term catalogue.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from offer_engine.versions import OfferVersion, VersionReason

OFFER_STATES = {
    "needs_data": "Waiting for data from iCIMS",
    "draft": "Being drafted",
    "in_review": "Ready for your review",
    "pending_approval": "Waiting for approval",
    "approved": "Approved, not yet released to the candidate",
    "sent": "Released to the candidate",
    "accepted": "Accepted by the candidate",
    "declined": "Declined by the candidate",
    "expired": "Expired",
    "withdrawn": "Withdrawn",
}
COUNTER_STATES = {
    "submitted": "new",
    "in_review": "being reviewed",
    "resolved": "answered",
    "withdrawn": "withdrawn",
}
APPROVAL_STATES = {
    "pending": "in progress",
    "waiting": "waiting for an earlier step",
    "active": "waiting for a decision",
    "approved": "approved",
    "rejected": "rejected",
    "voided": "no longer needed (the terms changed)",
}
REQUEST_STATES = {"open": "new", "claimed": "being handled", "resolved": "handled"}
DECISIONS = {
    "accept": "Agree",
    "counter": "Offer",
    "decline": "Keep the current terms",
    "review": "Needs legal review",
    "clarify": "Ask the candidate",
}
RESPONSES = {
    "accept": "agree to everything asked",
    "partial": "agree to part of it",
    "decline": "keep the current terms",
    "refer": "refer it (legal review or a question to the candidate first)",
}
QUORUMS = {"all": "everyone named", "any": "any one of them"}
JOB_KINDS = {
    "upload_letter": "Offer letter (PDF)",
    "patch_fields": "Offer terms in the workflow's fields",
    "add_note": "Note on the workflow",
    "write_chat_link": "Candidate's chat link",
    "set_status": "Workflow status",
    "write_terms": "Approved terms in the workflow's fields",
}
JOB_STATES = {
    "pending": "waiting to be sent",
    "in_flight": "being sent",
    "delivered": "in iCIMS",
    "dead": "failed: needs attention",
    "cancelled": "not needed any more",
    "held": "held: iCIMS was changed since the draft, choose what it keeps",
}


def words(table: dict[str, str], key: str) -> str:
    """The words for `key`; a key nobody has worded yet reads as words rather than as an identifier."""
    return table.get(key) or key.replace("_", " ")


def quorum(value: str | int) -> str:
    return f"{value} of them" if isinstance(value, int) else words(QUORUMS, value)


def role_name(role: str) -> str:
    return role.replace("_", " ").capitalize()


def version_name(version: OfferVersion, counter_number: int | None = None) -> str:
    """ "Initial draft", "Revision 2 after counter-offer C-1", "Revision 3 (updated from iCIMS)"."""
    if version.number == 1:
        return "Initial draft"
    if version.reason_kind == VersionReason.COUNTER_OFFER.value and counter_number is not None:
        return f"Revision {version.number} after counter-offer C-{counter_number}"
    if version.reason_kind == VersionReason.ICIMS_REFRESH.value:
        return f"Revision {version.number} (updated from iCIMS)"
    if version.reason_kind == VersionReason.RECRUITER_EDIT.value:
        return f"Revision {version.number} (edited by a recruiter)"
    return f"Revision {version.number}"


def age(since: datetime | None, now: datetime) -> str:
    """How long something has waited, as a person says it: "just now", "25 min", "3 h", "2 days"."""
    if since is None:
        return "—"
    waited = max(now - since, timedelta(0))
    minutes = int(waited.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def due(moment: datetime, now: datetime) -> str:
    """The SLA: "5 h left", "overdue 2 h" (short: the queue's column is narrow)."""
    if moment < now:
        return f"**overdue {age(moment, now)}**"
    left = age(now, moment)
    return "due now" if left == "just now" else f"{left} left"
