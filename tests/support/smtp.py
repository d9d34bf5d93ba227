"""A real SMTP server on loopback (aiosmtpd) for tests: records what it accepts, can refuse, and can hold a mail's
content (to stop a worker in the middle of handing it over)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from offer_engine.mail import SmtpSettings


@dataclass
class RecordingHandler:
    received: list[EmailMessage] = field(default_factory=list)
    refuse_with: str | None = None  # e.g. "451 4.3.0 try again later": answered to every RCPT
    hold_at: str | None = None  # "RCPT" or "DATA": that command waits, unanswered, until `release` is set
    reached: threading.Event = field(default_factory=threading.Event)  # the held command has arrived
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        await self._hold("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        await self._hold("DATA")
        return "250 Message accepted"

    async def _hold(self, command: str) -> None:
        if self.hold_at != command:
            return
        self.reached.set()
        while not self.release.is_set():  # the client is killed meanwhile: nobody reads the answer
            await asyncio.sleep(0.05)


@dataclass
class SmtpHandle:
    handler: RecordingHandler
    host: str
    port: int

    def settings(self, **overrides: Any) -> SmtpSettings:
        values: dict[str, Any] = {"host": self.host, "port": self.port, "timeout_seconds": 5.0}
        values.update(overrides)
        return SmtpSettings(**values)

    @property
    def received(self) -> list[EmailMessage]:
        return self.handler.received


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_smtp() -> Iterator[SmtpHandle]:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpHandle(handler, "127.0.0.1", port)
    finally:
        handler.release.set()
        controller.stop()


@contextmanager
def silent_server() -> Iterator[tuple[str, int]]:
    """Accepts connections and never says a word (a mail server that times out)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        listener.close()
