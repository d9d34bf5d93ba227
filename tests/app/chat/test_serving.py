"""`serve`'s start-up in sandbox mode: the demo staff exist before the start-up drafts, so the drafts reach them by
mail in the sandbox mailbox (a real local SMTP server, the in-process iCIMS sandbox, a real database)."""

from __future__ import annotations

from pathlib import Path

from app.chat import serving
from app.config import Settings
from app.mail_sandbox import with_sandbox_mail
from app.workers import build_workers
from tests.support.smtp import free_port


def _sandbox_settings(settings: Settings, tmp_path: Path) -> Settings:
    benefits = tmp_path / "benefits"  # no documents: indexing is not what this test is about
    benefits.mkdir()
    return settings.model_copy(
        update={
            "benefits_dir": benefits,
            "sandbox": settings.sandbox.model_copy(update={"port": free_port()}),
            "notifications": settings.notifications.model_copy(update={"sandbox_smtp_port": free_port()}),
        }
    )


def test_a_fresh_sandbox_start_mails_the_recruiters_about_the_drafts_it_made(
    settings: Settings, tmp_path: Path
) -> None:
    assert settings.sandbox_mode
    tuned, mail = with_sandbox_mail(_sandbox_settings(settings, tmp_path))
    assert mail is not None
    said: list[str] = []
    try:
        with serving.started_services(tuned, say=said.append, run_workers=False) as services:
            drafted = [link for link in services.links if link.portal]
            assert drafted, "the demo fixture has offer-ready workflows"
            workers = build_workers(tuned, services.db, worker_id="test")
            try:
                report = workers.run_once()
            finally:
                workers.close()
            serving.announce(tuned, services, said.append)
        messages = mail.messages()
    finally:
        mail.stop()
    assert report.notified, "the start-up drafts queued mail for the demo staff"
    subjects = [str(m["Subject"]) for m in messages]
    assert any(link.candidate in subject for link in drafted for subject in subjects), subjects
    assert any("username alex.rivera, password" in line for line in said), "the demo sign-ins are still printed"
