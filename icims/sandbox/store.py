"""The sandbox's data: fixture profiles in memory, writes applied atomically, files, and optional persistence.

Fixture format (the architecture's): ``{"customerId": 1234, "customer": {...}, "statuses": {"C20001": "Offer -
Ready"}, "people": {"1201": {...}}, "jobs": {...}, "companies": {...}, "applicantworkflows": {...}}``; every
other top-level object keyed by numeric ids is a profile type too. Persisted files go under ``"files"``.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icims.errors import FIELD_REQUIRED, RESOURCE_ACCESS_DENIED, RESOURCE_NOT_FOUND
from icims.values import is_empty

RESERVED_KEYS = frozenset({"customerId", "customer", "statuses", "files"})
# Sandbox-chosen codes where iCIMS's are undocumented: an invalid value or request, a used-up quota.
INVALID_REQUEST = 5
QUOTA_EXCEEDED = 7
_LOWERCASE = re.compile(r"[a-z0-9_]+")


class FixtureError(ValueError):
    """The fixture file cannot be used; the message says where."""


class SandboxHTTPError(Exception):
    """An iCIMS-shaped error answer: ``{"errors": [{"errorMessage", "errorCode"}]}`` with this HTTP status."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class FieldRules:
    """What the integration user may not write: fields it may only read, fields the tenant does not have."""

    read_only: frozenset[str] = frozenset()
    missing: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PatchResult:
    changed: list[str]
    warnings: list[str]
    old_status: str | None
    new_status: str | None


class FixtureStore:
    """Profiles by type and id; every mutation holds ``lock`` and is all-or-nothing."""

    def __init__(self, data: dict[str, Any], path: Path | None = None) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.customer_id = _customer_id(data)
        self.customer: dict[str, Any] = dict(data.get("customer") or {})
        self.statuses: dict[str, str] = _statuses(data.get("statuses"))
        self.profiles: dict[str, dict[int, dict[str, Any]]] = _profiles(data)
        self.files: dict[tuple[str, int, str], StoredFile] = _files(data.get("files"))
        self.nodes = _node_index(self.profiles)
        self._next_entry = _max_entry(self.profiles) + 1

    @classmethod
    def load(cls, fixture: Path | dict[str, Any]) -> FixtureStore:
        if isinstance(fixture, dict):
            return cls(copy.deepcopy(fixture))
        try:
            data = json.loads(Path(fixture).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FixtureError(f"cannot read sandbox fixture {fixture}: {exc}") from exc
        if not isinstance(data, dict):
            raise FixtureError(f"sandbox fixture {fixture} must be a JSON object")
        return cls(data, Path(fixture))

    def get(self, profile_type: str, profile_id: int) -> dict[str, Any]:
        profiles = self.profiles.get(profile_type)
        if profiles is None:
            raise SandboxHTTPError(404, RESOURCE_NOT_FOUND, f"Unknown profile type {profile_type}.")
        body = profiles.get(profile_id)
        if body is None:
            raise SandboxHTTPError(404, RESOURCE_NOT_FOUND, f"{_label(profile_type)} not found.")
        return body

    def patch(
        self, profile_type: str, profile_id: int, values: object, required: list[str], rules: FieldRules | None = None
    ) -> PatchResult:
        if not isinstance(values, dict):
            raise SandboxHTTPError(400, INVALID_REQUEST, "An unknown parsing error occurred: expected a JSON object.")
        rules = rules or FieldRules()
        unknown = next((name for name in values if name in rules.missing), None)
        if unknown is not None:
            raise SandboxHTTPError(400, INVALID_REQUEST, f"The following field is not valid: {unknown}")
        with self.lock:
            current = self.get(profile_type, profile_id)
            updated = copy.deepcopy(current)
            warnings, changed = [], []
            for name, value in values.items():
                if not isinstance(name, str) or not _LOWERCASE.fullmatch(name):
                    warnings.append(f"4:{name}:Field name must be all lowercase.")
                    continue
                if name == "links":
                    continue
                if name in rules.read_only:
                    warnings.append(
                        f"{INVALID_REQUEST}:{name}:The field is read-only for this user; it was not changed."
                    )
                    continue
                changed.append(name)
                if is_empty(value):
                    updated.pop(name, None)
                else:
                    updated[name] = self._enrich(profile_type, name, value)
            _check_required(updated, required)
            old = _status_id(current) if profile_type == "applicantworkflows" else None
            new = _status_id(updated) if profile_type == "applicantworkflows" else None
            current.clear()
            current.update(updated)
            return PatchResult(changed, warnings, old, new)

    def add_entry(self, profile_type: str, profile_id: int, collection: str, row: object, required: list[str]) -> int:
        if not isinstance(row, dict) or not row:
            raise SandboxHTTPError(400, INVALID_REQUEST, "An unknown parsing error occurred: expected a JSON object.")
        with self.lock:
            body = self.get(profile_type, profile_id)
            rows = body.get(collection, [])
            if not isinstance(rows, list):
                raise SandboxHTTPError(400, INVALID_REQUEST, f"{collection} is not a collection field.")
            _check_required(body, required)
            entry = self._next_entry
            self._next_entry += 1
            stored = {k: v for k, v in row.items() if k != "entry"}
            body[collection] = [*rows, {"entry": entry, **stored}]
            return entry

    def entry(self, profile_type: str, profile_id: int, collection: str, entry: int) -> dict[str, Any]:
        rows = self.get(profile_type, profile_id).get(collection)
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and row.get("entry") == entry:
                return row
        raise SandboxHTTPError(404, RESOURCE_NOT_FOUND, f"Entry {entry} of {collection} not found.")

    def put_file(self, profile_type: str, profile_id: int, field: str, stored: StoredFile, url: str) -> None:
        with self.lock:
            body = self.get(profile_type, profile_id)
            existing = body.get(field)
            if existing is not None and not (isinstance(existing, dict) and "file" in existing):
                raise SandboxHTTPError(400, INVALID_REQUEST, f"{field} is not a file field.")
            self.files[(profile_type, profile_id, field)] = stored
            body[field] = {"file": url, "filename": stored.filename}

    def get_file(self, profile_type: str, profile_id: int, field: str) -> StoredFile:
        self.get(profile_type, profile_id)
        stored = self.files.get((profile_type, profile_id, field))
        if stored is None:
            raise SandboxHTTPError(404, RESOURCE_NOT_FOUND, "File not found.")
        return stored

    def delete_file(self, profile_type: str, profile_id: int, field: str) -> None:
        with self.lock:
            self.get_file(profile_type, profile_id, field)
            del self.files[(profile_type, profile_id, field)]
            self.get(profile_type, profile_id).pop(field, None)

    def check_access(self, profile_type: str, profile_id: int, denied: dict[str, list[int]]) -> None:
        if profile_id in denied.get(profile_type, []):
            raise SandboxHTTPError(
                404, RESOURCE_ACCESS_DENIED, f"You do not have access to this {_label(profile_type)}."
            )

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            data: dict[str, Any] = {
                "customerId": self.customer_id,
                "customer": self.customer,
                "statuses": self.statuses,
            }
            for profile_type, profiles in self.profiles.items():
                data[profile_type] = {str(pid): body for pid, body in sorted(profiles.items())}
            if self.files:
                data["files"] = {
                    f"{t}/{i}/{f}": {
                        "filename": s.filename,
                        "contentType": s.content_type,
                        "base64": base64.b64encode(s.content).decode("ascii"),
                    }
                    for (t, i, f), s in self.files.items()
                }
            return copy.deepcopy(data)

    def save(self) -> None:
        """Write the data back to the fixture file atomically (no half-written fixture on a crash)."""
        if self.path is None:
            return
        text = json.dumps(self.to_json(), indent=1, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        os.replace(tmp, self.path)

    def _enrich(self, profile_type: str, name: str, value: Any) -> Any:
        """``{"id": "C20001"}`` becomes the full list node, as iCIMS stores it; unknown status ids are refused."""
        if not (isinstance(value, dict) and isinstance(value.get("id"), str)):
            return value
        node_id = value["id"]
        if profile_type == "applicantworkflows" and name == "status":
            if self.statuses and node_id not in self.statuses:
                raise SandboxHTTPError(400, INVALID_REQUEST, f"The following status is not valid: {node_id}")
            label = self.statuses.get(node_id, value.get("value", node_id))
            return {"id": node_id, "value": label, "formattedvalue": label}
        known = self.nodes.get(node_id)
        return {**known, **value} if known else value


def _check_required(body: dict[str, Any], required: list[str]) -> None:
    missing = [name for name in required if is_empty(body.get(name))]
    if missing:
        raise SandboxHTTPError(400, FIELD_REQUIRED, f"The following required field is empty: {missing[0]}.")


def _status_id(body: dict[str, Any]) -> str | None:
    status = body.get("status")
    return status.get("id") if isinstance(status, dict) else None


def _label(profile_type: str) -> str:
    return {"people": "Person", "jobs": "Job", "companies": "Company", "applicantworkflows": "Workflow"}.get(
        profile_type, "Profile"
    )


def _customer_id(data: dict[str, Any]) -> int:
    value = data.get("customerId")
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        raise FixtureError(f"fixture 'customerId' must be a number, got {value!r}")
    return int(value)


def _statuses(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise FixtureError("fixture 'statuses' must map status ids to labels")
    return dict(value)


def _profiles(data: dict[str, Any]) -> dict[str, dict[int, dict[str, Any]]]:
    profiles: dict[str, dict[int, dict[str, Any]]] = {}
    for profile_type, records in data.items():
        if profile_type in RESERVED_KEYS:
            continue
        if not isinstance(records, dict):
            raise FixtureError(f"fixture '{profile_type}' must map ids to profile objects")
        typed: dict[int, dict[str, Any]] = {}
        for key, body in records.items():
            if not str(key).isdigit() or not isinstance(body, dict):
                raise FixtureError(f"fixture '{profile_type}.{key}' must be a profile object under a numeric id")
            typed[int(key)] = body
        profiles[profile_type] = typed
    return profiles


def _files(value: object) -> dict[tuple[str, int, str], StoredFile]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FixtureError("fixture 'files' must map '<type>/<id>/<field>' to file objects")
    files: dict[tuple[str, int, str], StoredFile] = {}
    for key, item in value.items():
        try:
            profile_type, profile_id, field = str(key).split("/")
            content = base64.b64decode(item["base64"], validate=True)
            files[(profile_type, int(profile_id), field)] = StoredFile(item["filename"], item["contentType"], content)
        except (ValueError, KeyError, TypeError) as exc:
            raise FixtureError(f"fixture file {key!r} is not a valid stored file: {exc}") from None
    return files


def _node_index(profiles: dict[str, dict[int, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Every list node in the data, by id, so a PATCH by id alone can be stored with its label."""
    index: dict[str, dict[str, Any]] = {}

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("id"), str) and "value" in value and "profile" not in value:
                index.setdefault(value["id"], dict(value))
            for child in value.values():
                visit(child)
        elif isinstance(value, list):
            for child in value:
                visit(child)

    visit(profiles)
    return index


def _max_entry(profiles: dict[str, dict[int, dict[str, Any]]]) -> int:
    best = 0
    for records in profiles.values():
        for body in records.values():
            for value in body.values():
                for row in value if isinstance(value, list) else []:
                    if isinstance(row, dict) and isinstance(row.get("entry"), int):
                        best = max(best, row["entry"])
    return best
