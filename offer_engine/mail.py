"""E-mail over SMTP: the server's settings, address checks, and one mail sent in two steps (envelope, then content)
so the caller can record the moment before the content goes out (see `offer_engine.notify_delivery`)."""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


class SmtpSettings(BaseModel):
    """Where mail goes: host, port, transport security, credentials and the sender."""

    host: str = "127.0.0.1"
    port: int = Field(8025, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: SecretStr | None = None
    from_address: str = "offers@example.com"
    timeout_seconds: float = Field(20.0, gt=0, le=300)

    @field_validator("from_address")
    @classmethod
    def _sender_is_an_address(cls, value: str) -> str:
        if not is_address(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @field_validator("host")
    @classmethod
    def _host_given(cls, value: str) -> str:
        if not value.strip() or any(c.isspace() for c in value.strip()):
            raise ValueError(f"{value!r} is not a host name")
        return value.strip()


class MailRefusedError(Exception):
    """The server refused or did not answer; the message says what it said (retryable)."""


def is_address(value: str | None) -> bool:
    """A single plain address (no display name, no list)."""
    if not value or len(value) > 254:
        return False
    _name, address = parseaddr(value)
    return address == value.strip() and bool(_ADDRESS.match(address))


def send(settings: SmtpSettings, message: EmailMessage, *, before_content: Callable[[], bool]) -> None:
    """Open a connection, give the envelope (sender, recipient), call `before_content` (False: stop without
    sending) and send the content. Any refusal, time-out or lost connection is `MailRefusedError`."""
    recipient, sender = str(message["To"]), settings.from_address
    try:
        with _connect(settings) as smtp:
            if settings.username:
                smtp.login(settings.username, settings.password.get_secret_value() if settings.password else "")
            _expect(smtp.mail(sender), "MAIL FROM")
            _expect(smtp.rcpt(recipient), "RCPT TO")
            if not before_content():
                smtp.rset()
                return
            # smtplib passes bytes as they are: the lines must already end in CRLF.
            _expect(smtp.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n"))), "DATA")
    except MailRefusedError:
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise MailRefusedError(f"{type(exc).__name__}: {exc}") from exc


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security == "tls":
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_seconds, context=ssl.create_default_context()
        )
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
    smtp.ehlo()
    if settings.security == "starttls":
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()
    return smtp


def _expect(answer: tuple[int, bytes], step: str) -> None:
    code, text = answer
    if not 200 <= code < 300:
        raise MailRefusedError(f"the mail server answered {code} to {step}: {text.decode(errors='replace')[:300]}")
