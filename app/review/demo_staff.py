"""Demo staff for sandbox mode: the recruiters and hiring managers the sandbox fixture's jobs name, plus one
compensation reviewer, one legal reviewer and one admin. Each gets a random password, generated once and kept
in ``<data_dir>/sandbox-secrets.json`` (as ``staff.<username>.password``). Refused outside sandbox mode.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from app.config import ConfigError, Settings, sandbox_secret
from offer_engine import staff
from offer_engine.actors import Role, system_actor
from offer_engine.db import session_scope

GENERIC_REVIEWERS = (("compensation", "Compensation Reviewer", Role.COMPENSATION),
                     ("legal", "Legal Reviewer", Role.LEGAL), ("admin", "Administrator", Role.ADMIN))  # fmt: skip


class DemoStaff(BaseModel):
    username: str
    display_name: str
    roles: list[Role]
    email: str | None = None
    icims_person_id: int | None = None


class DemoCredential(BaseModel):
    username: str
    password: str
    display_name: str
    roles: list[Role]


def demo_staff_from_fixture(fixture: Path) -> list[DemoStaff]:
    """Hiring managers and recruiters named by the fixture's jobs, then the generic reviewers."""
    data: dict[str, Any] = json.loads(fixture.read_text(encoding="utf-8"))
    people: dict[str, dict[str, Any]] = data.get("people", {})
    roles: dict[int, set[Role]] = defaultdict(set)
    for job in data.get("jobs", {}).values():
        for field, role in (("hiringmanager", Role.HIRING_MANAGER), ("recruiter", Role.RECRUITER)):
            link = job.get(field)
            if isinstance(link, dict) and str(link.get("id", "")).isdigit():
                roles[int(link["id"])].add(role)
    found = [_person_staff(pid, people.get(str(pid), {}), held) for pid, held in sorted(roles.items())]
    # Generic reviewers get a sandbox address too, so that their notifications reach the local mail server.
    found += [
        DemoStaff(username=u, display_name=n, roles=[r], email=f"{u}@sandbox.example") for u, n, r in GENERIC_REVIEWERS
    ]
    return found


def _person_staff(person_id: int, person: dict[str, Any], roles: set[Role]) -> DemoStaff:
    email = str(person.get("email") or "").strip().lower() or None
    name = " ".join(str(person.get(k) or "").strip() for k in ("firstname", "lastname")).strip()
    base = email.split("@")[0] if email else name or f"person{person_id}"
    username = re.sub(r"[^a-z0-9._-]+", ".", base.lower()).strip(".") or f"person{person_id}"
    return DemoStaff(
        username=username,
        display_name=name or username,
        roles=sorted(roles),
        email=email,
        icims_person_id=person_id,
    )


def ensure_demo_staff(
    settings: Settings, engine: Engine, *, hasher: PasswordHasher | None = None
) -> list[DemoCredential]:
    """Create the missing demo staff users; returns every demo user's credentials (to print)."""
    if not settings.sandbox_mode:
        raise ConfigError("demo staff exist only in sandbox mode; create the first admin with `staff create-admin`")
    credentials = []
    with session_scope(engine) as session:
        for spec in demo_staff_from_fixture(settings.sandbox.fixture):
            password = sandbox_secret(settings.data_dir, f"staff.{spec.username}.password")
            if staff.find_user(session, spec.username) is None:
                staff.create_user(
                    session,
                    username=spec.username,
                    display_name=spec.display_name,
                    roles=spec.roles,
                    actor=system_actor("sandbox-demo"),
                    email=spec.email,
                    password=password,
                    icims_person_id=spec.icims_person_id,
                    hasher=hasher,
                )
            credentials.append(
                DemoCredential(
                    username=spec.username, password=password, display_name=spec.display_name, roles=spec.roles
                )
            )
    return credentials
