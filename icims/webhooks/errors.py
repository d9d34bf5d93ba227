"""Typed webhook failures, each with the HTTP status and the body iCIMS expects from a vendor endpoint."""

from __future__ import annotations


class WebhookError(Exception):
    """A notification we refuse. ``error_body()`` is iCIMS's vendor error format
    (``{"error": {"userMessage", "debugErrorMessage"}}``); the user message may be shown to iCIMS users."""

    status_code = 400

    def __init__(self, user_message: str, debug_message: str | None = None) -> None:
        super().__init__(f"{user_message} ({debug_message})" if debug_message else user_message)
        self.user_message = user_message
        self.debug_message = debug_message or user_message

    def error_body(self) -> dict[str, dict[str, str]]:
        return {"error": {"userMessage": self.user_message, "debugErrorMessage": self.debug_message}}


class WebhookAuthError(WebhookError):
    """Missing, wrong or stale credentials or signature (answer 401)."""

    status_code = 401

    def __init__(self, debug_message: str) -> None:
        super().__init__("The Offer Assistant could not verify who sent this notification.", debug_message)


class MalformedWebhookError(WebhookError):
    """The body is not a readable iCIMS event: bad gzip, not JSON, wrong types, missing fields, too large (400)."""

    status_code = 400

    def __init__(self, debug_message: str) -> None:
        super().__init__("The Offer Assistant could not read this notification.", debug_message)
