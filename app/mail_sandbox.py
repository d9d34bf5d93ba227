"""Sandbox mode's local mail server: SMTP on loopback (aiosmtpd) keeping every mail in a Maildir folder, where any
mail reader (or `ls`) can read what the product sent. Nothing leaves the machine."""

from __future__ import annotations

import logging
import mailbox
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from app.config import Settings
from offer_engine.mail import SmtpSettings


class MaildirHandler:
    """Keeps each mail the server accepts in `folder` (a Maildir: new/, cur/, tmp/)."""

    def __init__(self, folder: Path) -> None:
        for part in ("tmp", "new", "cur"):  # Maildir(create=True) makes none of them in a folder that exists
            (folder / part).mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.maildir = mailbox.Maildir(str(folder), create=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802, ARG002 - aiosmtpd calls it so
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        self.maildir.add(content)
        return "250 Message accepted for delivery"


class LocalMailServer:
    """`start()` listens on `host:port` (loopback); `stop()` ends it. Mails are kept in `folder`."""

    def __init__(self, folder: Path, *, host: str = "127.0.0.1", port: int = 8025) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection at INFO
        self.handler = MaildirHandler(folder)
        self.controller = Controller(self.handler, hostname=host, port=port)

    @property
    def folder(self) -> Path:
        return self.handler.folder

    @property
    def address(self) -> tuple[str, int]:
        return str(self.controller.hostname), int(self.controller.port)

    def start(self) -> LocalMailServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def messages(self) -> list[Message]:
        return [message_from_bytes(m.as_bytes()) for m in mailbox.Maildir(str(self.folder), create=False)]


def with_sandbox_mail(settings: Settings) -> tuple[Settings, LocalMailServer | None]:
    """In sandbox mode: the local mail server (started) and the settings sending to it; else the settings as they
    are. The server keeps its mail in ``<data_dir>/mail``."""
    if not settings.sandbox_mode or not settings.notifications.enabled:
        return settings, None
    tuning = settings.notifications
    server = LocalMailServer(settings.data_dir / "mail", port=tuning.sandbox_smtp_port).start()
    host, port = server.address
    smtp = SmtpSettings(host=host, port=port, security="none", from_address=tuning.smtp.from_address)
    notifications = tuning.model_copy(update={"smtp": smtp})
    return settings.model_copy(update={"notifications": notifications}), server
