"""Domain errors: every refused operation raises one of these, with a message a recruiter can act on.

A service function that raises a DomainError has changed nothing: checks run before any write, and the
caller's transaction (``session_scope``) rolls back whatever was flushed.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class of every refusal by the offer engine."""

    code = "domain_error"


class InvalidInputError(DomainError):
    """A request whose content cannot be accepted (e.g. a rejection without a reason)."""

    code = "invalid_input"


class NotFoundError(DomainError):
    """The offer, version, step, counter-offer, job or event does not exist."""

    code = "not_found"


class IllegalTransitionError(DomainError):
    """A state change the state machine does not allow from the current state."""

    code = "illegal_transition"

    def __init__(self, subject: str, current: str, target: str, why: str = "") -> None:
        self.subject, self.current, self.target = subject, current, target
        detail = f": {why}" if why else ""
        super().__init__(f"{subject} cannot go from {current!r} to {target!r}{detail}")


class LiveOfferExistsError(DomainError):
    """A second live offer for the same iCIMS applicant workflow."""

    code = "live_offer_exists"


class NotAtOfferStageError(DomainError):
    """The applicant workflow's status is not one the tenant mapping calls 'ready for offer'."""

    code = "not_at_offer_stage"


class VersionImmutableError(DomainError):
    """An attempt to change a stored offer version (make a new version instead)."""

    code = "version_immutable"


class StaleVersionError(DomainError):
    """The operation names a version that is no longer the offer's current one."""

    code = "stale_version"


class NothingChangedError(DomainError):
    """A new version was requested with terms identical to the current version."""

    code = "nothing_changed"


class PermissionDeniedError(DomainError):
    """The actor lacks the role (or identity) the operation needs."""

    code = "permission_denied"


class ComplianceFailedError(DomainError):
    """The letter of the version failed its compliance check, or there is no checked letter."""

    code = "compliance_failed"


class AlreadyDecidedError(DomainError):
    """The approver has already decided this step, or the step is no longer open."""

    code = "already_decided"


class ClaimConflictError(DomainError):
    """Another recruiter (or worker) holds the item."""

    code = "claim_conflict"


class InvalidCounterError(DomainError):
    """A counter-offer whose items or resolution do not make sense for the offer."""

    code = "invalid_counter"


class AuditTamperingError(DomainError):
    """The audit chain does not verify (raised only by callers that demand a clean chain)."""

    code = "audit_tampering"
