"""Issue 14, items 3, 4 and 6 below the HTTP layer: candidate and document text shown as text, data at rest
private whatever the umask, no live candidate link anywhere in the database, actor kinds, crafted ids."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import chainlit as cl
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import select as sql_select

from app.links import Audience, LinkError, verify_token
from app.review.payloads import ItemRef, OfferRef
from app.review.runtime import chat_link_minter
from app.review.views import queue_markdown
from app.security.storage import secure_data_dir
from app.security.text import defanged, plain
from app.wiring import engine_setup
from offer_engine import release, staff
from offer_engine.actors import ActorKind, Role, system_actor, user_actor
from offer_engine.audit import AuditEvent
from offer_engine.db import make_engine, session_scope
from offer_engine.delivery import REDACTED, RetryPolicy, deliver_due
from offer_engine.outbox import JobKind, SyncJob
from offer_engine.review_queue import ItemKind, QueueItem
from offer_engine.schema import metadata
from tests import factories
from tests.app.chat.conftest import Tenant
from tests.support.staff_factories import FAST_HASHER

MAYA = 3401
PASSWORD = "Zq8vN3kLw2pR7tYc5xHs9bMd4gFj6aEu"
POISON = "![x](https://evil.example/pixel.png) [Click to approve](https://evil.example/approve) <img src=x>"


# -- 3. text others wrote ----------------------------------------------------------------------------------------

_LINK_OR_IMAGE = re.compile(r"(?<!\\)!?(?<!\\)\[[^\]]*(?<!\\)\]\(")


@pytest.mark.parametrize(
    "written",
    [
        POISON,
        "**bold** _x_ `code` # head\n> quote\n- item | pipe",
        "[a][ref]\n\n[ref]: https://evil.example",
        "\\![x](y)",
    ],
)
def test_3_candidate_text_is_shown_as_typed(written: str) -> None:
    shown = plain(written)
    assert not _LINK_OR_IMAGE.search(shown)
    assert re.sub(r"\\(.)", r"\1", shown.replace("  \n", "\n")) == written  # unescaped, it is exactly the text


def test_3_the_review_queue_shows_candidate_written_cells_as_text() -> None:
    item = QueueItem(
        kind=ItemKind.HANDOFF, ref_id=1, offer_id=1, workflow_id=MAYA, candidate="Maya](https://evil.example)",
        title="Engineer", summary=POISON, due_at=datetime.now(UTC),
    )  # fmt: skip
    shown = queue_markdown([item], datetime.now(UTC))
    assert "](https://" not in shown.replace("\\]\\(", "")
    assert "\\!\\[x\\]\\(https\\://evil" in shown


def test_3_document_passages_keep_formatting_but_load_no_image_and_hide_no_link() -> None:
    shown = defanged("## Dental\n**Covered** in full. " + POISON + "\n[r]: https://evil.example/ref")
    assert "## Dental" in shown
    assert "**Covered**" in shown
    assert not _LINK_OR_IMAGE.search(shown)
    assert "Click to approve (https\\://evil\\.example/approve)" in shown  # the real target, as text
    assert "https://evil.example/ref" not in shown
    assert "\\<img" in shown  # shown as text, not an HTML tag


# -- 4. data at rest ---------------------------------------------------------------------------------------------


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_4_the_data_directory_is_private_whatever_the_umask(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "data"
    (data / "chainlit" / ".files").mkdir(parents=True)
    (data / "chainlit" / ".files" / "letter.pdf").write_bytes(b"%PDF")
    (data / "sandbox-secrets.json").write_text("{}")
    secure_data_dir(data)
    assert _mode(data) == 0o700
    assert _mode(data / "chainlit" / ".files") == 0o700
    assert _mode(data / "chainlit" / ".files" / "letter.pdf") == 0o600
    assert _mode(data / "sandbox-secrets.json") == 0o600
    later = data / "qdrant-segment.bin"
    later.write_bytes(b"x")  # created after start-up: the product's umask applies
    assert _mode(later) == 0o600


def test_4_a_new_sqlite_database_is_created_private(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "fresh" / "offer-assistant.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    assert _mode(path) == 0o600
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            assert _mode(companion) == 0o600
    assert _mode(path.parent) == 0o700
    engine.dispose()


_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def live_links(settings: Any, engine: Engine) -> list[str]:
    """Every still-valid candidate link token stored anywhere in the database."""
    key = settings.secret("security.link_signing_key")
    found = []
    with engine.connect() as connection:
        for table in metadata().sorted_tables:
            for row in connection.execute(select(table)):
                for token in _JWT.findall(json.dumps([str(v) for v in row], default=str)):
                    for audience in Audience:
                        try:
                            verify_token(key, token, audience=audience)
                        except LinkError:
                            continue
                        found.append(f"{table.name}: {token[:20]}…")
    return found


def test_4_the_database_holds_no_live_candidate_link_before_or_after_delivery(tenant: Tenant) -> None:
    tenant.approve(MAYA, release=False)
    identity = tenant.offer(MAYA)
    settings = tenant.settings
    with session_scope(tenant.engine) as session:
        outcome = release.release_offer(
            session, identity.offer_id, engine_setup(settings), actor=factories.recruiter(),
            mint_link=chat_link_minter(settings),
        )  # fmt: skip
    assert outcome.url is not None
    assert "token=" in outcome.url  # the recruiter was shown a live link ...
    assert live_links(settings, tenant.engine) == []  # ... and the database keeps none
    deliver_due(
        tenant.engine, tenant.client, worker_id="probe", policy=RetryPolicy(lease_seconds=100_000),
        mint_link=chat_link_minter(settings), now=datetime.now(UTC) + timedelta(seconds=1),
    )  # fmt: skip
    field = settings.tenant.chat_link_field or ""
    written = tenant.client.get_profile("applicantworkflows", MAYA, fields=[field])[field]
    assert verify_token(
        settings.secret("security.link_signing_key"), written.split("token=")[1], audience=Audience.PORTAL
    )
    with session_scope(tenant.engine) as session:
        jobs = session.exec(sql_select(SyncJob).where(SyncJob.kind == JobKind.WRITE_CHAT_LINK.value)).all()
        assert [job.state for job in jobs] == ["delivered"]
    assert live_links(settings, tenant.engine) == []


def test_4_a_delivered_job_queued_with_a_url_keeps_no_url(tenant: Tenant) -> None:
    from offer_engine import writebacks

    identity = tenant.offer(MAYA)
    with session_scope(tenant.engine) as session:
        from offer_engine.offers import get_offer

        offer = get_offer(session, identity.offer_id)
        plan = writebacks.enqueue_chat_link(
            session, offer=offer, url="https://chat.example/auth/portal?token=legacy", link_id="legacy",
            mapping=tenant.settings.tenant, actor=system_actor(),
        )  # fmt: skip
        job_id = plan.jobs[0].id
    deliver_due(tenant.engine, tenant.client, worker_id="probe", policy=RetryPolicy(lease_seconds=100_000))
    with session_scope(tenant.engine) as session:
        job = session.get(SyncJob, job_id)
        assert job is not None
        assert job.state == "delivered"
        assert job.payload["url"] == REDACTED


# -- 6. actor kinds, crafted ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "kind"),
    [
        ((Role.ADMIN,), ActorKind.ADMIN),
        ((Role.RECRUITER, Role.ADMIN), ActorKind.ADMIN),
        ((Role.COMPENSATION,), ActorKind.COMPENSATION),
        ((Role.HIRING_MANAGER,), ActorKind.HIRING_MANAGER),
        ((Role.LEGAL,), ActorKind.LEGAL),
        ((Role.RECRUITER,), ActorKind.RECRUITER),
    ],
)
def test_6_audit_actor_kinds_say_the_real_role(roles: tuple[Role, ...], kind: ActorKind) -> None:
    actor = user_actor("someone", *roles)
    assert actor.kind is kind
    assert actor.kind.is_staff


def test_6_a_sign_in_is_audited_with_the_users_role(tenant: Tenant) -> None:
    with session_scope(tenant.engine) as session:
        user = staff.create_user(
            session, username="kind.probe", display_name="K", roles=[Role.COMPENSATION], actor=system_actor(),
            password=PASSWORD, hasher=FAST_HASHER,
        )  # fmt: skip
        assert staff.authenticate(session, "kind.probe", PASSWORD, hasher=FAST_HASHER) is not None
        events = session.exec(
            sql_select(AuditEvent).where(AuditEvent.action == "staff.signed_in", AuditEvent.actor_id == user.username)
        ).all()
        assert [event.actor_kind for event in events] == ["compensation"]


@pytest.mark.parametrize("model", [ItemRef, OfferRef])
def test_6_a_31_digit_id_is_a_refused_payload_not_an_overflow(model: type[Any]) -> None:
    huge = int("9" * 31)
    with pytest.raises(ValueError, match="less than"):
        model.model_validate({"kind": "draft", "ref_id": huge, "offer_id": huge})


def test_6_cl_action_with_a_list_payload_is_what_chainlit_itself_would_fail_on() -> None:
    with pytest.raises(Exception):  # noqa: B017 - whatever Chainlit raises: our route answers 400 first
        cl.Action(name="starter", payload=[1, 2])  # type: ignore[arg-type]
