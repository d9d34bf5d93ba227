"""Structured logs for the whole product: one JSON object per line, a request id on every line, no secrets, no PII.

    handler = configure_logging(settings, "INFO")       # once, at process start (CLI, serve, worker)
    app = RequestIdMiddleware(app)                      # any ASGI app: X-Request-ID in and out

Redaction happens in a filter on the handler, before anything is formatted or written: every secret value the
configuration holds (each ``SecretStr`` of Settings, the secrets kept for sandbox mode, the database password),
``Bearer``/``Basic`` credentials, JWT-looking tokens, ``token=``/``password=``-style values, and PII (emails,
phone numbers, SSN-like and UK NI-like ids). It covers the message, its arguments, ``extra`` fields, exception
tracebacks and stack traces.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, quote_plus

from pydantic import BaseModel, SecretStr
from sqlalchemy.engine import make_url

from app.config import Settings

REDACTED = "[REDACTED]"
REQUEST_ID_HEADER = "x-request-id"
# Where Settings.secret() keeps the secrets it generates in sandbox mode (app/config.py: sandbox_secret).
SANDBOX_SECRETS_FILE = "sandbox-secrets.json"
# Loggers that install their own handlers; routed to ours so that their lines are redacted too.
_FOREIGN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "chainlit", "httpx", "httpcore", "engineio")
_MIN_SECRET_LENGTH = 4

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


# -- request ids ------------------------------------------------------------------------------------------------


def current_request_id() -> str | None:
    return _request_id.get()


def new_request_id() -> str:
    return secrets.token_hex(16)


@contextmanager
def request_id_scope(request_id: str | None = None) -> Iterator[str]:
    """Run a unit of work (a request, a worker round, a job) under a request id; yields the id."""
    value = request_id if request_id and _VALID_REQUEST_ID.fullmatch(request_id) else new_request_id()
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]


class RequestIdMiddleware:
    """Pure ASGI: takes a well-formed ``X-Request-ID`` from the caller or makes one, sets it for every log line of
    the request, echoes it in the response, and logs one access line (method, path without query, status, ms)."""

    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log
        self._log = logging.getLogger("app.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        offered = _header(scope, REQUEST_ID_HEADER)
        with request_id_scope(offered) as request_id:
            status: list[int] = []
            started = time.perf_counter()

            async def send_with_id(message: Message) -> None:
                if message["type"] in ("http.response.start", "websocket.accept"):
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                    headers.append((b"x-request-id", request_id.encode()))
                    message["headers"] = headers
                    status.append(int(message.get("status", 101)))
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if self.access_log:
                    self._log.info(
                        "%s %s %s",
                        scope.get("method", "WS"),
                        scope.get("path", ""),
                        status[0] if status else 500,
                        extra={
                            "http": {
                                "method": scope.get("method", "WS"),
                                "path": scope.get("path", ""),
                                "status": status[0] if status else 500,
                                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                            }
                        },
                    )


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode()
    for key, value in scope.get("headers") or []:
        if key.lower() == wanted:
            return bytes(value).decode("latin-1")
    return None


# -- redaction --------------------------------------------------------------------------------------------------

_SENSITIVE_KEYS = (
    r"password|passwd|pwd|secret|client_secret|hmac_secret|api[_-]?key|apikey|access_token|refresh_token|id_token"
    r"|token|auth_secret|signing_key|authorization|cookie|set-cookie|x-chainlit-auth"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # credentials in URLs: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@"), rf"\1{REDACTED}@"),
    # Authorization values
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}"), rf"\1\2{REDACTED}"),
    (
        re.compile(r"(?i)(x-icims-v1-hmac-sha256\s+user=[^,\s]*,\s*signedheaders=[^,\s]*,\s*signature=)[0-9a-f]+"),
        rf"\1{REDACTED}",
    ),
    # JWT-looking tokens (portal links, widget tokens, Chainlit sessions)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    # key=value (query strings, forms, log text) and "key": "value" / 'key': 'value' (JSON, dict reprs)
    (re.compile(rf"(?i)(\b(?:{_SENSITIVE_KEYS})=)[^&\s\"',;]+"), rf"\1{REDACTED}"),
    (re.compile(rf"(?i)([\"'](?:{_SENSITIVE_KEYS})[\"']\s*:\s*[\"'])[^\"']*"), rf"\1{REDACTED}"),
    (re.compile(rf"(?i)(\b(?:{_SENSITIVE_KEYS})\s*:\s+)(?![\[\"'])\S+"), rf"\1{REDACTED}"),
    # PII
    (re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[EMAIL]"),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[ID]"),
    (re.compile(r"(?i)\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"), "[ID]"),
    (re.compile(r"(?<![\w.+])\+\d[\d\s().-]{6,}\d(?![\w.])"), "[PHONE]"),
    (re.compile(r"(?<![\w.+-])(?:\(\d{2,5}\)\s?|\d{2,5}[\s.-])\d{3,4}[\s.-]\d{3,4}(?![\w.-])"), "[PHONE]"),
)


class SecretValues:
    """The secret values to blank out: fixed ones plus, in sandbox mode, those generated later into data_dir."""

    def __init__(self, values: Iterable[str] = (), sandbox_file: Path | None = None) -> None:
        self._fixed = {v for v in values if len(v) >= _MIN_SECRET_LENGTH}
        self._sandbox_file = sandbox_file
        self._sandbox_stamp: float | None = None
        self._sandbox_values: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None
        self._rebuild()

    def add(self, value: str) -> None:
        with self._lock:
            if len(value) >= _MIN_SECRET_LENGTH and value not in self._fixed:
                self._fixed.add(value)
                self._rebuild()

    def pattern(self) -> re.Pattern[str] | None:
        self._refresh_sandbox()
        return self._pattern

    def _refresh_sandbox(self) -> None:
        if self._sandbox_file is None:
            return
        try:
            stamp = self._sandbox_file.stat().st_mtime_ns
        except OSError:
            return
        if stamp == self._sandbox_stamp:
            return
        with self._lock:
            try:
                stored = json.loads(self._sandbox_file.read_text())
            except (OSError, ValueError):
                return
            self._sandbox_stamp = stamp
            self._sandbox_values = {str(v) for v in stored.values() if len(str(v)) >= _MIN_SECRET_LENGTH}
            self._rebuild()

    def _rebuild(self) -> None:
        forms: set[str] = set()
        for value in self._fixed | self._sandbox_values:
            forms |= {value, quote(value, safe=""), quote_plus(value)}
        ordered = sorted(forms, key=len, reverse=True)  # the longest first, so a prefix never wins
        self._pattern = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None


def settings_secrets(settings: Settings) -> SecretValues:
    """Every secret the settings hold: each SecretStr anywhere in them, the database password, sandbox secrets."""
    values = [secret.get_secret_value() for secret in _secret_strs(settings)]
    if settings.database_url:
        password = make_url(settings.database_url).password
        if password:
            values.append(str(password))
    sandbox_file = settings.data_dir / SANDBOX_SECRETS_FILE if settings.sandbox_mode else None
    return SecretValues(values, sandbox_file)


def _secret_strs(model: BaseModel) -> Iterator[SecretStr]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            yield value
        elif isinstance(value, BaseModel):
            yield from _secret_strs(value)


class Redactor:
    """Blanks secrets and PII out of text."""

    def __init__(self, secrets_: SecretValues | None = None) -> None:
        self.secrets = secrets_ or SecretValues()

    def __call__(self, text: str) -> str:
        pattern = self.secrets.pattern()
        if pattern is not None:
            text = pattern.sub(REDACTED, text)
        for regex, replacement in _PATTERNS:
            text = regex.sub(replacement, text)
        return text

    def value(self, value: Any) -> Any:
        """A JSON-able value with every string redacted (dicts and lists walked)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {str(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set):
            return [self.value(v) for v in value]
        if value is None or isinstance(value, bool | int | float):
            return value
        return self(str(value))


_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime", "request_id"}
)


class RedactionFilter(logging.Filter):
    """Rewrites a record in place so that no handler after it can write a secret or PII (never drops a record)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):
            return True
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: keep the text, never raise into the caller
            message = f"{record.msg} (unformattable arguments)"
            record.msg, record.args = message, None
        clean = self.redactor(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRS and not name.startswith("_"):
                setattr(record, name, self.redactor.value(value))
        setattr(record, "_redacted", True)  # noqa: B010 - a private mark, not a LogRecord attribute
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, extras, exception."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redactor(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "process": record.process,
        }
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRS and not name.startswith("_"):
                entry[name] = self.redactor.value(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = self.redactor(record.exc_text)
        if record.stack_info:
            entry["stack"] = self.redactor(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _OurHandler(logging.StreamHandler[TextIO]):
    """Marks the handler configure_logging installed, so a second call replaces it instead of adding another."""


def configure_logging(
    settings: Settings, level: str | int = "INFO", *, stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record of the process, redacted, as JSON lines to `stream` (stderr by default).

    Idempotent. Loggers of uvicorn, Chainlit and httpx lose their own handlers and propagate to ours; run uvicorn
    with ``log_config=None`` so that it does not install them again.
    """
    redactor = Redactor(settings_secrets(settings))
    handler = _OurHandler(stream or sys.stderr)
    handler.addFilter(RedactionFilter(redactor))
    handler.setFormatter(JsonFormatter(redactor))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    for name in _FOREIGN_LOGGERS:  # uvicorn's own logging config may have set levels, handlers, or disabled them
        foreign = logging.getLogger(name)
        foreign.handlers.clear()
        foreign.propagate = True
        foreign.disabled = False
        foreign.setLevel(logging.NOTSET)
    for name in ("httpx", "httpcore"):  # their INFO lines are one per request, with full URLs
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)
    return handler
