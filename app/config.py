"""The one settings object, read from a TOML file and OFFER_ASSISTANT_* environment variables.

Precedence: explicit arguments > environment > TOML file > defaults. Nested keys use ``__`` in the
environment, e.g. ``OFFER_ASSISTANT_ICIMS__CLIENT_SECRET``. Relative paths in a TOML file are read
relative to that file. With no file at all the embedded demo (``demo/offer-assistant.toml``) is used.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from app.ratelimit import DEFAULT_LIMITS, RateLimit
from app.vocabulary import Vocabulary, VocabularyError, VocabularyFile, builtin_vocabulary, load_vocabulary
from icims.config import ICIMSConnection
from icims.mapping import TenantMapping
from offer_engine.catalogue import Catalogue, CatalogueError, build_catalogue
from offer_engine.mail import SmtpSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = PROJECT_ROOT / "demo"
DEMO_CONFIG = DEMO_DIR / "offer-assistant.toml"
DEFAULT_CONFIG_NAME = "offer-assistant.toml"

_PLACEHOLDERS = (
    "changeme",
    "change-me",
    "change_me",
    "replace",
    "placeholder",
    "secret",
    "password",
    "example",
    "todo",
    "xxx",
    "dummy",
    "default",
    "test",
    "sample",
    "12345",
)


class ConfigError(ValueError):
    """The configuration cannot be used as it is; the message says what to change."""


class SandboxSettings(BaseModel):
    """The embedded iCIMS sandbox server."""

    fixture: Path = DEMO_DIR / "icims-fixture.json"
    host: str = "127.0.0.1"
    port: int = 8081
    persist: bool = Field(False, description="Write sandbox changes back to the fixture file.")
    event_url: str | None = Field(None, description="Where the sandbox POSTs status-change webhooks.")


class VectorStoreSettings(BaseModel):
    path: Path | None = Field(None, description="Embedded store folder (Edge shards); default <data_dir>/qdrant.")
    url: str | None = Field(None, description="Qdrant server URL; when set, the embedded store is not used.")
    api_key: SecretStr | None = None
    collection: str = "benefits"
    engine: Literal["edge", "qdrant-local"] = Field(
        "edge", description="Embedded engine: Qdrant Edge, or qdrant-client local mode (the way back)."
    )
    tenant: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Whose documents (own collection per tenant); default icims-<icims.customer_id>.",
    )


class LLMSettings(BaseModel):
    provider: Literal["embedded", "openai"] = "embedded"
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1.")
    model: str | None = None
    api_key: SecretStr | None = None
    timeout_seconds: float = 20.0
    max_retries: int = 2
    temperature: float = 0.0


class ChatSettings(BaseModel):
    max_message_chars: int = Field(4000, description="Longer candidate messages get a polite 'too long' reply.")
    history_retention_days: int = Field(
        90, ge=1, le=3650, description="A conversation is kept (and shown) this many days after its last message."
    )

    @property
    def history_retention(self) -> timedelta:
        return timedelta(days=self.history_retention_days)


class VocabularySettings(BaseModel):
    """A tenant's words beside the built-in English, German and Spanish ones (see app/vocabulary)."""

    model_config = ConfigDict(extra="forbid")

    extra_files: list[Path] = Field(
        default_factory=list,
        description="Vocabulary files (TOML, the format of app/vocabulary/en.toml): a further language or the "
        "tenant's own jargon. Relative paths are read relative to the configuration file.",
    )
    inline: list[VocabularyFile] = Field(
        default_factory=list,
        description="Entries written in the configuration itself: [[vocabulary.inline]] language = 'fr' with "
        "words = { conges = 'vacation' } (and optionally heads, phrases, bridge).",
    )

    document_languages: list[str] = Field(
        default_factory=list,
        description="The languages the benefits documents are written in (ISO 639-1, e.g. ['en', 'de']). A question "
        "in another language also searches with its concepts' words in these; with only the question's own "
        "language, no such search is made. Empty: any language of the vocabulary.",
    )

    @field_validator("document_languages")
    @classmethod
    def _language_codes(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not re.fullmatch(r"[a-z]{2,3}", v)]
        if bad:
            raise ValueError(f"not a language code (ISO 639, lower case): {', '.join(bad)}")
        return values

    def load(self) -> Vocabulary:
        """The built-in vocabulary with these additions (VocabularyError naming the file and entry if one is bad)."""
        if not self.extra_files and not self.inline:
            return builtin_vocabulary()
        return load_vocabulary(self.extra_files, self.inline)


class WorkerSettings(BaseModel):
    """How the background workers retry incoming events and treat a throttled or unreachable iCIMS."""

    event_retry_base_seconds: float = Field(5.0, gt=0, description="First wait after a transient failure.")
    event_retry_max_seconds: float = Field(60.0, gt=0, description="The cap of the doubling wait.")
    unreachable_pause_seconds: float = Field(
        5.0, ge=0, description="No calls to a tenant that did not answer for this long (one probe per pause)."
    )
    fetch_retries: int = Field(1, ge=0, description="Retries inside one iCIMS read (the event retries the rest).")


class NotificationSettings(BaseModel):
    """Mail and iCIMS notes to staff and candidates (see offer_engine.notifications)."""

    enabled: bool = Field(True, description="Deliver notifications (they are queued either way).")
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    icims_notes: bool = Field(False, description="Also leave a note on the iCIMS workflow for staff notifications.")
    reminder_hours_before_due: float = Field(
        4.0, gt=0, le=720, description="Remind approvers this long before an approval step falls due."
    )
    digest_hour_utc: int = Field(8, ge=0, le=23, description="The hour (UTC) the daily digests go out.")
    retry_base_seconds: float = Field(30.0, gt=0, description="First wait after the mail server refused.")
    retry_max_seconds: float = Field(1800.0, gt=0, description="The cap of the doubling wait.")
    max_failures: int = Field(6, ge=1, le=50, description="Failed tries before a notification is dead-lettered.")
    sandbox_smtp_port: int = Field(
        8025, ge=1, le=65535, description="Sandbox mode: the port of the local mail server `serve` starts."
    )

    @model_validator(mode="after")
    def _backoff_bounds(self) -> NotificationSettings:
        if self.retry_max_seconds < self.retry_base_seconds:
            raise ValueError("notifications.retry_max_seconds must be at least retry_base_seconds")
        return self

    @property
    def reminder_before(self) -> timedelta:
        return timedelta(hours=self.reminder_hours_before_due)


class SecuritySettings(BaseModel):
    link_signing_key: SecretStr | None = Field(None, description="Signs candidate portal links (>= 32 chars).")
    chainlit_auth_secret: SecretStr | None = Field(None, description="Chainlit's CHAINLIT_AUTH_SECRET.")
    link_ttl_hours: int = 72
    widget_token_ttl_minutes: int = 15
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Origins besides public_url's (e.g. a careers site with the widget) that may open the chat "
        "socket, send state-changing requests and frame /careers.",
    )
    staff_idle_minutes: int = Field(30, gt=0, description="A staff session unused this long ends.")
    staff_session_hours: int = Field(12, gt=0, description="A staff session ends this long after sign-in.")
    login_concurrency: int = Field(2, gt=0, description="Password checks (argon2) running at once; more wait.")
    rate_limits: dict[str, RateLimit] = Field(
        default_factory=dict,
        description="Replaces a built-in limit by kind (link, chat, widget, webhook, login, login-global): "
        "capacity (a burst) and per_minute (sustained), e.g. a higher `login` for staff behind one office address.",
    )

    @field_validator("rate_limits")
    @classmethod
    def _known_limits(cls, values: dict[str, RateLimit]) -> dict[str, RateLimit]:
        unknown = sorted(set(values) - set(DEFAULT_LIMITS))
        if unknown:
            raise ValueError(f"unknown rate limit {', '.join(unknown)}; known: {', '.join(DEFAULT_LIMITS)}")
        return values

    @property
    def limits(self) -> dict[str, RateLimit]:
        """The rate limits in force: the built-in ones with this configuration's replacements."""
        return {**DEFAULT_LIMITS, **self.rate_limits}

    webhook_max_body_bytes: int = Field(
        4 * 1024 * 1024, gt=0, description="Webhook bodies above this size are refused with 413 unread."
    )

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, values: list[str]) -> list[str]:
        return [normalise_origin(value) for value in values]


def normalise_origin(value: str) -> str:
    """`scheme://host[:port]` in lower case, without a path; ValueError for anything else."""
    if urlsplit(value.strip()).path not in ("", "/"):
        raise ValueError(f"{value!r} is not an origin (scheme://host[:port])")
    return origin_of(value)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """The origin of an http(s) URL as a browser writes it: lower case, default port left out."""
    parts = urlsplit(url.strip())
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    port = f":{parts.port}" if parts.port not in (None, _DEFAULT_PORTS[parts.scheme]) else ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host.lower()}{port}"


class Settings(BaseSettings):
    """Everything the product reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="OFFER_ASSISTANT_", env_nested_delimiter="__", extra="forbid")
    toml_file: ClassVar[Path | None] = None

    company_name: str = "Demo Company"
    public_url: str = "http://127.0.0.1:8000"
    data_dir: Path = Path(".offer-assistant")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default a SQLite file in data_dir.")
    benefits_dir: Path = DEMO_DIR / "benefits"
    policy_file: Path = DEMO_DIR / "policy.toml"
    icims: ICIMSConnection = Field(default_factory=ICIMSConnection)
    tenant: TenantMapping = Field(default_factory=TenantMapping)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    vector_store: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    chat: ChatSettings = Field(default_factory=ChatSettings)
    vocabulary: VocabularySettings = Field(default_factory=VocabularySettings)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003 - no .env files: secrets come from env or TOML
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls.toml_file))
        return tuple(sources)

    @model_validator(mode="after")
    def _check_term_catalogue(self) -> Settings:
        try:
            build_catalogue(self.tenant)
        except CatalogueError as exc:
            raise ConfigError(f"the term catalogue cannot be used: {exc}") from exc
        return self

    @cached_property
    def vocabulary_tables(self) -> Vocabulary:
        """The words questions and documents are read with: built-in plus [vocabulary] (checked at load)."""
        return self.vocabulary.load()

    @cached_property
    def catalogue(self) -> Catalogue:
        """The tenant's terms: the built-in ones and those declared under [tenant.terms]."""
        return build_catalogue(self.tenant)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.sandbox_mode:
            return self
        problems = [f"{name}: {why}" for name, why in self._secret_problems()]
        if problems:
            raise ConfigError(
                "refusing to start outside sandbox mode with missing or placeholder secrets:\n  - "
                + "\n  - ".join(problems)
                + "\nSet them in the TOML file or as OFFER_ASSISTANT_<SECTION>__<KEY> environment variables."
            )
        return self

    @property
    def sandbox_mode(self) -> bool:
        return self.icims.is_sandbox

    @property
    def public_origin(self) -> str:
        """The origin of `public_url` (what a browser sends as Origin from our own pages)."""
        return origin_of(self.public_url)

    @property
    def trusted_origins(self) -> frozenset[str]:
        """Origins allowed to open the chat socket and send state-changing requests."""
        return frozenset({self.public_origin, *self.security.allowed_origins})

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry `Secure` whenever the public URL is https."""
        return urlsplit(self.public_url).scheme == "https"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'offer-assistant.db').resolve()}"

    @property
    def resolved_vector_path(self) -> Path:
        return self.vector_store.path or self.data_dir / "qdrant"

    def _secret_problems(self) -> list[tuple[str, str]]:
        required: list[tuple[str, SecretStr | None, int]] = [
            ("security.link_signing_key", self.security.link_signing_key, 32),
            ("security.chainlit_auth_secret", self.security.chainlit_auth_secret, 32),
        ]
        if self.icims.auth == "oauth":
            required.append(("icims.client_secret", self.icims.client_secret, 8))
        else:
            required.append(("icims.password", self.icims.password, 8))
        hook = self.icims.webhook
        if hook.mode == "hmac":
            required.append(("icims.webhook.hmac_secret", hook.hmac_secret, 16))
        else:
            required.append(("icims.webhook.password", hook.password, 12))
        if self.notifications.smtp.username:
            required.append(("notifications.smtp.password", self.notifications.smtp.password, 8))
        if self.llm.provider == "openai" and self.llm.api_key is not None:
            required.append(("llm.api_key", self.llm.api_key, 8))
        return [(name, why) for name, value, min_len in required if (why := secret_problem(value, min_len))]

    def secret(self, name: str) -> str:
        """A secret's value; in sandbox mode a missing one is generated once and kept in data_dir."""
        *path, key = name.split(".")
        owner: object = self
        for part in path:
            owner = getattr(owner, part)
        value: SecretStr | None = getattr(owner, key)
        if value is not None:
            return value.get_secret_value()
        if not self.sandbox_mode:
            raise ConfigError(f"{name} is not configured")
        return sandbox_secret(self.data_dir, name)


def secret_problem(value: SecretStr | None, min_length: int) -> str | None:
    """Why a secret is unusable, or None if it is fine."""
    if value is None or not value.get_secret_value().strip():
        return "missing"
    text = value.get_secret_value().strip()
    lowered = text.lower()
    # A marker counts when it is most of the value ("changeme-please"), not when a long random key happens to
    # hold three letters of one ("…xXx…"): generated keys must never be refused by chance.
    placeholder = any(marker in lowered and len(lowered.replace(marker, "")) < 24 for marker in _PLACEHOLDERS)
    if placeholder or text.startswith("<") or len(set(text)) < 4:
        return "looks like a placeholder"
    if len(text) < min_length:
        return f"too short (at least {min_length} characters)"
    return None


def sandbox_secret(data_dir: Path, name: str) -> str:
    """A generated secret kept in `data_dir` (sandbox mode only: created once, then read back)."""
    path = data_dir / "sandbox-secrets.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        stored[name] = secrets.token_urlsafe(48)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored[name]


def find_config_file(explicit: Path | None, cwd: Path | None = None) -> Path:
    """The TOML file to read: the one given, else ./offer-assistant.toml, else the embedded demo."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} does not exist")
        return explicit
    local = (cwd or Path.cwd()) / DEFAULT_CONFIG_NAME
    return local if local.is_file() else DEMO_CONFIG


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the settings; relative paths in the TOML file are taken relative to that file."""
    path = find_config_file(config_file)
    try:
        settings_cls = type("FileSettings", (Settings,), {"toml_file": path})
        settings = settings_cls(**overrides)
    except ConfigError:
        raise
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        # terms written as tables are checked as `term_configs`: name them as the file does
        message = str(exc).replace("tenant.term_configs.", "tenant.terms.")
        raise ConfigError(f"invalid configuration in {path}:\n{message}") from exc
    resolved = _resolve_paths(settings, path.parent.resolve())
    try:
        resolved.vocabulary_tables  # noqa: B018 - read once here so a bad vocabulary stops the start
    except VocabularyError as exc:
        raise ConfigError(f"invalid [vocabulary] in {path}: {exc}") from exc
    return resolved


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    def anchored(p: Path | None) -> Path | None:
        return None if p is None or p.is_absolute() else (base / p).resolve()

    updates = {
        name: anchored(getattr(settings, name))
        for name in ("data_dir", "benefits_dir", "policy_file")
        if anchored(getattr(settings, name)) is not None
    }
    sandbox_fixture = anchored(settings.sandbox.fixture)
    vector_path = anchored(settings.vector_store.path)
    resolved = settings.model_copy(update=updates)
    if sandbox_fixture is not None:
        resolved.sandbox = settings.sandbox.model_copy(update={"fixture": sandbox_fixture})
    if vector_path is not None:
        resolved.vector_store = settings.vector_store.model_copy(update={"path": vector_path})
    if settings.vocabulary.extra_files:
        files = [anchored(p) or p for p in settings.vocabulary.extra_files]
        resolved.vocabulary = settings.vocabulary.model_copy(update={"extra_files": files})
    return resolved
