"""How a sandbox behaves: credentials, quota, required/hidden fields, event delivery and injected faults."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


class Faults(BaseModel):
    """Misbehaviour injected into API and token calls (never into ``/_sandbox`` admin calls).

    Counters (``*_next``) are consumed one per affected request. A hung request is answered normally once
    ``hang_seconds`` pass (a write still happens after the client gave up, as with a real slow server).
    ``methods`` and ``path_contains`` narrow which requests are affected, e.g. ``methods=["PATCH"],
    path_contains="/binary"`` for file uploads only.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    latency_seconds: float = Field(0.0, ge=0, description="Added to every affected call.")
    error_rate: float = Field(0.0, ge=0, le=1, description="Probability of answering error_status.")
    error_status: int = Field(503, ge=500, le=599)
    fail_next: int = Field(0, ge=0, description="The next N calls answer error_status.")
    throttle_next: int = Field(0, ge=0, description="The next N calls answer 429 (a burst), with Retry-After.")
    throttle_retry_after: int = Field(1, ge=0)
    hang_next: int = Field(0, ge=0, description="The next N calls hang for hang_seconds (client time-outs).")
    hang_seconds: float = Field(30.0, ge=0)
    unauthorized_next: int = Field(0, ge=0, description="The next N API calls answer 401 as if the token were revoked.")
    outage: bool = Field(False, description="Every call answers 503 with a non-JSON body.")
    methods: list[str] | None = None
    path_contains: str | None = None
    seed: int | None = Field(None, description="Seeds error_rate's randomness.")

    def applies_to(self, method: str, path: str) -> bool:
        if self.methods is not None and method.upper() not in {m.upper() for m in self.methods}:
            return False
        return self.path_contains is None or self.path_contains in path


class EventTarget(BaseModel):
    """Where status-change notifications go and how they are authenticated (as iCIMS would)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    auth: Literal["none", "basic", "hmac"] = "none"
    username: str | None = None
    password: SecretStr | None = None
    hmac_user: str | None = None
    hmac_secret: SecretStr | None = None
    status_form: Literal["numeric", "id"] = Field(
        "numeric", description="'numeric' sends '20001' for C20001 (as real payloads do); 'id' sends the id."
    )
    copies: int = Field(1, ge=1, le=10, description="Deliveries per event (>1 simulates duplicate notifications).")
    timeout_seconds: float = Field(30.0, gt=0)

    @model_validator(mode="after")
    def _credentials_present(self) -> EventTarget:
        if self.auth == "basic" and not (self.username and self.password):
            raise ValueError("Basic event auth needs username and password")
        if self.auth == "hmac" and not (self.hmac_user and self.hmac_secret):
            raise ValueError("HMAC event auth needs hmac_user and hmac_secret")
        return self


class SandboxOptions(BaseModel):
    """Everything configurable about a sandbox; credentials come from the caller (settings), never defaults."""

    model_config = ConfigDict(extra="forbid")

    client_id: str | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    audience: str = "https://api.icims.com/v1/"
    token_expires_in: int = Field(86400, gt=0)
    daily_quota: int = Field(10000, ge=0)
    required_fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Profile type -> fields a PATCH/POST refuses to leave empty (errorCode 1)."
    )
    hidden_fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Profile type -> fields the integration user cannot see (absent, unsearchable).",
    )
    read_only_fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Profile type -> fields the integration user may not change: a PATCH leaves them as they are "
        "and answers 204 with a field warning (X-Warning: 5:<field>:...).",
    )
    missing_fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Profile type -> fields this tenant does not have: a PATCH naming one is refused (400).",
    )
    denied: dict[str, list[int]] = Field(
        default_factory=dict, description="Profile type -> ids the integration user may not read (404, errorCode 3)."
    )
    extra_keys: bool = Field(False, description="Add an unknown key to every profile GET, as iCIMS may at any time.")
    persist: bool = Field(False, description="Write every change back to the fixture file.")
    max_upload_bytes: int = Field(20 * 1024 * 1024, gt=0)
    acting_user_id: int | None = Field(None, description="userId of events; default the job's recruiter.")
    events: EventTarget = Field(default_factory=EventTarget)
    faults: Faults = Field(default_factory=Faults)

    @model_validator(mode="after")
    def _some_credentials(self) -> SandboxOptions:
        oauth = bool(self.client_id and self.client_secret)
        basic = bool(self.username and self.password)
        if not (oauth or basic):
            raise ValueError("the sandbox needs OAuth (client_id, client_secret) or Basic (username, password)")
        return self
