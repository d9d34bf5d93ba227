"""How the candidate can reach their recruiter: e-mail and phone read from iCIMS, cached per job.

The offer keeps the recruiter's name (read when it was drafted); the contact details live on the recruiter's
person profile, which the tenant mapping points at (``tenant.terms.recruiter``, e.g. ``job.recruiter``). A
lookup that fails leaves the answer with the name only: it never blocks a chat.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from icims.client import ICIMSClient
from icims.errors import ICIMSError
from icims.mapping import TenantMapping

log = logging.getLogger(__name__)
_PROFILE_TYPES = {"job": "jobs", "applicantworkflow": "applicantworkflows"}


class Contact(BaseModel):
    model_config = ConfigDict(frozen=True)

    emails: list[str] = []
    phones: list[str] = []


class ContactBook(Protocol):
    def recruiter(self, *, job_id: int | None, workflow_id: int) -> Contact | None: ...


class NoContacts:
    """No iCIMS at hand (e.g. a dry run): names only."""

    def recruiter(self, *, job_id: int | None, workflow_id: int) -> Contact | None:  # noqa: ARG002
        return None


class IcimsContactBook:
    """Reads the recruiter's person profile through the tenant mapping; one lookup per job and process."""

    def __init__(self, client: Callable[[], ICIMSClient | None], mapping: TenantMapping) -> None:
        self._client = client
        self._mapping = mapping
        self._cache: dict[tuple[str, int], Contact | None] = {}
        self._lock = threading.Lock()

    def recruiter(self, *, job_id: int | None, workflow_id: int) -> Contact | None:
        refs = self._mapping.terms.get("recruiter", [])
        for ref in refs:
            profile_id = job_id if ref.profile == "job" else workflow_id if ref.profile == "applicantworkflow" else None
            if profile_id is None or ref.profile not in _PROFILE_TYPES:
                continue
            key = (str(ref), profile_id)
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            found = self._lookup(_PROFILE_TYPES[ref.profile], profile_id, ref.field)
            with self._lock:
                self._cache[key] = found
            if found is not None:
                return found
        return None

    def _lookup(self, profile_type: str, profile_id: int, field: str) -> Contact | None:
        client = self._client()
        if client is None:
            return None
        try:
            link = client.get_profile(profile_type, profile_id, fields=[field]).get(field)
            person_id = link.get("id") if isinstance(link, dict) else None
            if not isinstance(person_id, int | str) or not str(person_id).isdigit():
                return None
            person = client.get_person(int(person_id))
        except ICIMSError as exc:
            log.warning("recruiter contact for %s %s not readable: %s", profile_type, profile_id, exc)
            return None
        phones = [p.phonenumber for p in person.phones if p.phonenumber]
        return Contact(emails=[person.email] if person.email else [], phones=phones)
