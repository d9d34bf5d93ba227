"""iCIMS event notifications: parse (gzip, string ids, ``Link`` header), verify (Basic, HMAC), de-duplicate.

A receiving route does, in order: ``verify_request(...)`` on the raw bytes, ``parse_status_change(...)``, then
stores the event under ``duplicate_key(event)``. Failures are :class:`WebhookAuthError` (answer 401) and
:class:`MalformedWebhookError` (answer 400); both give iCIMS's vendor error body via ``error_body()``.
"""

from __future__ import annotations

from icims.webhooks.errors import MalformedWebhookError, WebhookAuthError, WebhookError
from icims.webhooks.parsing import (
    MAX_BODY_BYTES,
    STATUS_CHANGE_EVENT,
    decode_body,
    duplicate_key,
    parse_event,
    parse_link_header,
    parse_status_change,
)
from icims.webhooks.signing import (
    ALGORITHM,
    format_icims_date,
    sign_hmac,
    verify_basic,
    verify_hmac,
    verify_request,
)

__all__ = [
    "ALGORITHM",
    "MAX_BODY_BYTES",
    "STATUS_CHANGE_EVENT",
    "MalformedWebhookError",
    "WebhookAuthError",
    "WebhookError",
    "decode_body",
    "duplicate_key",
    "format_icims_date",
    "parse_event",
    "parse_link_header",
    "parse_status_change",
    "sign_hmac",
    "verify_basic",
    "verify_hmac",
    "verify_request",
]
