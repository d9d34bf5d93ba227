"""Connection settings for one iCIMS tenant (or the local sandbox)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr

SANDBOX = "sandbox"


class WebhookAuth(BaseModel):
    """How iCIMS authenticates the event notifications it POSTs to us."""

    mode: Literal["basic", "hmac"] = "basic"
    username: str | None = None
    password: SecretStr | None = None
    hmac_user: str | None = None
    hmac_secret: SecretStr | None = None
    max_clock_skew_seconds: int = Field(300, description="HMAC x-icims-date tolerance.")


class ICIMSConnection(BaseModel):
    """Where and how to reach the iCIMS REST API."""

    base_url: str = Field(
        SANDBOX,
        description="'sandbox' for the embedded sandbox, else e.g. https://api.icims.com (EU: https://api-eu.icims.com).",
    )
    customer_id: int = 1234
    auth: Literal["oauth", "basic"] = "oauth"
    token_url: str | None = Field(None, description="OAuth token URL; defaults to the sandbox's or login.icims.com.")
    audience: str = "https://api.icims.com/v1/"
    client_id: str | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    timeout_seconds: float = 30.0
    max_retries: int = 4
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    rate_limit_wait_seconds: float | None = Field(
        None,
        ge=0,
        description="The longest 429 Retry-After (or quota reset) the client waits out itself before raising "
        "RateLimited; default backoff_max_seconds. 0: never wait (the workers reschedule instead).",
    )
    notes_collection: str = Field("notes", description="Collection field a note is added to (one row per note).")
    notes_field: str = Field("note", description="The text field of a row in the notes collection.")
    webhook: WebhookAuth = Field(default_factory=WebhookAuth)

    @property
    def longest_rate_limit_wait(self) -> float:
        return self.backoff_max_seconds if self.rate_limit_wait_seconds is None else self.rate_limit_wait_seconds

    @property
    def is_sandbox(self) -> bool:
        return self.base_url == SANDBOX
