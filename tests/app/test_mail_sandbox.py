"""Sandbox mail: `serve`'s local SMTP server keeps what the product sends in a Maildir; the notifications
benchmark runs against it; the [notifications] settings refuse obviously wrong values."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from app.bench_notifications import run_benchmark
from app.config import ConfigError, Settings, load_settings
from app.mail_sandbox import with_sandbox_mail
from offer_engine.mail import MailRefusedError, send
from tests.support.smtp import free_port


def test_sandbox_mode_starts_a_local_server_and_sends_to_it(settings: Settings) -> None:
    port = free_port()
    local = settings.model_copy(
        update={"notifications": settings.notifications.model_copy(update={"sandbox_smtp_port": port})}
    )
    tuned, server = with_sandbox_mail(local)
    assert server is not None
    try:
        assert (tuned.notifications.smtp.host, tuned.notifications.smtp.port) == ("127.0.0.1", port)
        message = EmailMessage()
        message["To"], message["Subject"] = "maya@example.com", "Hello"
        message.set_content("A test mail")
        send(tuned.notifications.smtp, message, before_content=lambda: True)
        [kept] = server.messages()
        assert kept["Subject"] == "Hello"
        assert server.folder == settings.data_dir / "mail"
        assert list((server.folder / "new").iterdir())  # readable with any Maildir reader
    finally:
        server.stop()


def test_a_server_that_is_not_there_is_a_refusal_not_a_crash(settings: Settings) -> None:
    smtp = settings.notifications.smtp.model_copy(update={"port": free_port(), "timeout_seconds": 1.0})
    message = EmailMessage()
    message["To"] = "maya@example.com"
    message.set_content("x")
    with pytest.raises(MailRefusedError, match="ConnectionRefused"):
        send(smtp, message, before_content=lambda: True)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("OFFER_ASSISTANT_NOTIFICATIONS__SMTP__PORT", "70000"),
        ("OFFER_ASSISTANT_NOTIFICATIONS__SMTP__SECURITY", "ssl3"),
        ("OFFER_ASSISTANT_NOTIFICATIONS__SMTP__FROM_ADDRESS", "offers at corvid"),
        ("OFFER_ASSISTANT_NOTIFICATIONS__DIGEST_HOUR_UTC", "24"),
        ("OFFER_ASSISTANT_NOTIFICATIONS__RETRY_MAX_SECONDS", "1"),
    ],
)
def test_wrong_notification_settings_are_refused_at_start(
    key: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match="notifications"):
        load_settings(data_dir=tmp_path)


def test_the_benchmark_sends_a_due_steps_mail_within_one_round_without_duplicates(settings: Settings) -> None:
    result = run_benchmark(settings, runs=2, echo=lambda _line: None)
    assert result.rounds_max == 1
    assert result.within_one_round == 2
    assert result.duplicates == 0
    assert result.mails >= 4  # two drafts' mails, two approvers' mails
