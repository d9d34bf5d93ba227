"""The embedded iCIMS sandbox's options, taken from the settings: the credentials clients will present and how
status-change events are signed (secrets via ``settings.secret``: configured, or generated once in sandbox mode)."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from app.config import ConfigError, Settings
from icims.sandbox import EventTarget, SandboxOptions


def sandbox_options(settings: Settings, **overrides: Any) -> SandboxOptions:
    """Sandbox credentials and event signing taken from the settings (secrets via ``settings.secret``)."""
    conn = settings.icims
    values: dict[str, Any] = {"audience": conn.audience, **overrides}
    event_url = values.pop("event_url", None)
    if conn.client_id:
        values["client_id"] = conn.client_id
        values["client_secret"] = SecretStr(settings.secret("icims.client_secret"))
    if conn.username:
        values["username"] = conn.username
        values["password"] = SecretStr(settings.secret("icims.password"))
    if not conn.client_id and not conn.username:
        raise ConfigError("set icims.client_id (OAuth) or icims.username (Basic) so clients can authenticate")
    values["events"] = event_target(settings, event_url)
    return SandboxOptions.model_validate(values)


def event_target(settings: Settings, url: str | None) -> EventTarget:
    """Where and how status-change notifications are sent, signed as `icims.webhook` configures."""
    hook = settings.icims.webhook
    if not url:
        return EventTarget()
    if hook.mode == "hmac":
        secret = settings.secret("icims.webhook.hmac_secret")
        return EventTarget(url=url, auth="hmac", hmac_user=hook.hmac_user, hmac_secret=SecretStr(secret))
    secret = settings.secret("icims.webhook.password")
    return EventTarget(url=url, auth="basic", username=hook.username, password=SecretStr(secret))
