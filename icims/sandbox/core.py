"""The Sandbox: fixture data, credentials, quota, faults, write log and event emitter behind one ASGI app.

Everything the HTTP admin endpoints (``/_sandbox/…``) can do is also a method here, for tests in-process.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from icims.sandbox.emitter import Delivery, EventEmitter, StatusChange
from icims.sandbox.gate import FaultInjector, Quota, QuotaReading, TokenBook
from icims.sandbox.options import EventTarget, Faults, SandboxOptions
from icims.sandbox.store import FieldRules, FixtureStore, PatchResult, SandboxHTTPError, StoredFile

DEFAULT_BASE_URL = "http://sandbox.invalid"


@dataclass(frozen=True)
class WriteRecord:
    """One applied change. ``source`` is ``"api"`` for REST calls and ``"admin"`` for sandbox-driven moves."""

    seq: int
    source: str
    method: str
    path: str
    profile_type: str
    profile_id: int
    kind: str  # "patch", "status", "file", "file-delete", "entry"
    fields: tuple[str, ...]
    detail: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = list(self.fields)
        return data


@dataclass(frozen=True)
class RequestRecord:
    """Every request the sandbox answered (also failed and injected ones), for counting attempts."""

    seq: int
    method: str
    path: str
    status: int
    caller: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Sandbox:
    """A fake iCIMS tenant. ``Sandbox(fixture, SandboxOptions(client_id=..., client_secret=...)).app`` is ASGI."""

    def __init__(
        self,
        fixture: Path | dict[str, Any],
        options: SandboxOptions,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.options = options
        self.store = FixtureStore.load(fixture)
        self.tokens = TokenBook(clock)
        self.quota = Quota(options.daily_quota, now or (lambda: datetime.now(UTC)))
        self.fault_injector = FaultInjector(options.faults)
        self._events = options.events
        self._lock = threading.Lock()
        self._writes: list[WriteRecord] = []
        self._requests: list[RequestRecord] = []
        self.emitter = EventEmitter(lambda: self._events)
        self.base_url = DEFAULT_BASE_URL
        from icims.sandbox.routes import build_app  # the routes need this class; import late to avoid a cycle

        self.app = build_app(self)

    # -- the Python API (mirrors /_sandbox/...) --------------------------------------------------------

    @property
    def customer_id(self) -> int:
        return self.store.customer_id

    def set_faults(self, **changes: Any) -> Faults:
        return self.fault_injector.update(**changes)

    def clear_faults(self) -> Faults:
        return self.fault_injector.clear()

    @property
    def faults(self) -> Faults:
        return self.fault_injector.faults

    def set_quota(self, limit: int | None = None, used: int | None = None) -> QuotaReading:
        return self.quota.set(limit, used)

    def revoke_tokens(self) -> None:
        self.tokens.revoke_all()

    def configure_events(self, **changes: Any) -> EventTarget:
        with self._lock:
            self._events = EventTarget.model_validate({**self._events.model_dump(), **changes})
            return self._events

    def profile(self, profile_type: str, profile_id: int) -> dict[str, Any]:
        """The stored profile as it is now (a copy)."""
        with self.store.lock:
            return copy.deepcopy(self.store.get(profile_type, profile_id))

    def file(self, profile_type: str, profile_id: int, field_name: str) -> StoredFile | None:
        try:
            return self.store.get_file(profile_type, profile_id, field_name)
        except SandboxHTTPError:
            return None

    def move(self, workflow_id: int, status_id: str, *, user_id: int | None = None) -> PatchResult:
        """Set a workflow's status as a recruiter in iCIMS would; notifies the event URL if it changed."""
        path = f"/customers/{self.customer_id}/applicantworkflows/{workflow_id}"
        return self.patch_profile(
            "applicantworkflows", workflow_id, {"status": {"id": status_id}}, source="admin", path=path, user_id=user_id
        )

    def edit(self, profile_type: str, profile_id: int, values: dict[str, Any]) -> PatchResult:
        """Change fields as a person in iCIMS would (not the integration user: no field rules apply)."""
        path = f"/customers/{self.customer_id}/{profile_type}/{profile_id}"
        return self.patch_profile(profile_type, profile_id, values, source="admin", path=path)

    def restrict_fields(
        self, *, read_only: dict[str, list[str]] | None = None, missing: dict[str, list[str]] | None = None
    ) -> SandboxOptions:
        """Fields the integration user may not change, and fields the tenant does not have (see SandboxOptions)."""
        changes: dict[str, Any] = {}
        if read_only is not None:
            changes["read_only_fields"] = read_only
        if missing is not None:
            changes["missing_fields"] = missing
        self.options = self.options.model_copy(update=changes)
        return self.options

    def writes(self, source: str | None = "api") -> list[WriteRecord]:
        """Applied changes; by default only those made through the REST API (not admin moves)."""
        with self._lock:
            return [w for w in self._writes if source is None or w.source == source]

    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    @property
    def deliveries(self) -> list[Delivery]:
        return self.emitter.wait_for(0, 0)

    def wait_for_deliveries(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        return self.emitter.wait_for(count, timeout)

    def close(self) -> None:
        self.emitter.close()

    # -- operations shared by the routes and the Python API --------------------------------------------

    def patch_profile(
        self,
        profile_type: str,
        profile_id: int,
        values: object,
        *,
        source: str,
        path: str,
        user_id: int | None = None,
    ) -> PatchResult:
        required = self.options.required_fields.get(profile_type, [])
        rules = FieldRules()  # a person in iCIMS (admin) may edit any field; the integration user may not
        if source == "api":
            rules = FieldRules(
                read_only=frozenset(self.options.read_only_fields.get(profile_type, [])),
                missing=frozenset(self.options.missing_fields.get(profile_type, [])),
            )
        result = self.store.patch(profile_type, profile_id, values, required, rules)
        status_changed = result.new_status is not None and result.new_status != result.old_status
        kind = "status" if "status" in result.changed and profile_type == "applicantworkflows" else "patch"
        detail: dict[str, Any] = {}
        if isinstance(values, dict):
            detail["values"] = {k: v for k, v in values.items() if k in result.changed}
        if status_changed:
            detail["oldStatus"], detail["newStatus"] = result.old_status, result.new_status
        self.record_write(source, "PATCH", path, profile_type, profile_id, kind, tuple(result.changed), detail)
        if status_changed and result.new_status is not None:
            self._notify(profile_id, result.old_status, result.new_status, user_id)
        return result

    def record_write(
        self,
        source: str,
        method: str,
        path: str,
        profile_type: str,
        profile_id: int,
        kind: str,
        fields: tuple[str, ...],
        detail: dict[str, Any] | None = None,
    ) -> None:
        with self._lock:
            seq = len(self._writes) + 1
            record = WriteRecord(seq, source, method, path, profile_type, profile_id, kind, fields, detail or {})
            self._writes.append(record)
        if self.options.persist:
            self.store.save()

    def record_request(self, method: str, path: str, status: int, caller: str | None) -> None:
        with self._lock:
            self._requests.append(RequestRecord(len(self._requests) + 1, method, path, status, caller))

    def _notify(self, workflow_id: int, old: str | None, new: str, user_id: int | None) -> None:
        workflow = self.store.get("applicantworkflows", workflow_id)
        job_id, person_id = _link_id(workflow.get("baseprofile")), _link_id(workflow.get("associatedprofile"))
        if user_id is None:
            user_id = self.options.acting_user_id
        if user_id is None and job_id is not None:
            job = self.store.profiles.get("jobs", {}).get(job_id, {})
            user_id = _link_id(job.get("recruiter"))
        change = StatusChange(self.customer_id, workflow_id, job_id, person_id, user_id, old, new, self.base_url)
        self.emitter.submit(change)


def _link_id(link: object) -> int | None:
    value = link.get("id") if isinstance(link, dict) else link
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None
