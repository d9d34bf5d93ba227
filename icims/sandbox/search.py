"""The Search API over fixture data: validation with iCIMS's messages, filter evaluation, the 1,000 cap.

Operators: ``=`` (equality for ids, list nodes, numbers and dates; *contains* for text), ``==`` exact text,
``!=`` / ``!==`` their negations, ``<`` ``>`` ``<=`` ``>=`` for numbers and dates. A filter's ``value`` list
matches if any value matches (negations: if none does); an empty list matches records where the field is
empty. An unparseable date bound is ignored, as iCIMS does. Results are always live (no staleness cache).
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from icims.sandbox.store import INVALID_REQUEST, FixtureStore, SandboxHTTPError
from icims.search import SEARCH_PAGE_CAP, SEARCH_PREFIXES
from icims.values import ValueCoercionError, as_date, as_datetime, as_decimal, is_empty

FILTER_OPERATORS = frozenset({"=", "==", "!=", "!==", "<", ">", "<=", ">="})
GROUP_OPERATORS = frozenset({"&", "|"})
_ORDER: dict[str, Callable[[Any, Any], bool]] = {"<": op.lt, ">": op.gt, "<=": op.le, ">=": op.ge}
_ADDRESS_FIELDS = frozenset({"addresscity", "addresszip", "addresscountry", "addressstate", "addressstreet1"})
_WORKFLOW_JOINS = {"person": ("associatedprofile", "people"), "job": ("baseprofile", "jobs")}
Getter = Callable[[int, dict[str, Any]], list[Any]]


@dataclass(frozen=True)
class _Filter:
    getter: Getter
    values: tuple[str, ...]
    operator: str
    upper: str | None


@dataclass(frozen=True)
class _Group:
    filters: tuple[_Filter, ...]
    operator: str
    children: tuple[_Group, ...]


def run_search(store: FixtureStore, profile_type: str, body: object, hidden: dict[str, list[str]]) -> list[int]:
    """Matching ids, ascending, at most 1,000."""
    if profile_type not in SEARCH_PREFIXES:
        raise SandboxHTTPError(400, INVALID_REQUEST, f"The following search type is not valid: {profile_type}")
    if isinstance(body, list):  # a bare filter list, as some clients send
        body = {"filters": body}
    if not isinstance(body, dict):
        raise _invalid("An unknown parsing error occurred")
    resolver = _Resolver(store, profile_type, hidden)
    group = _parse_group(body, resolver)
    if not _has_filter(group):
        raise _invalid("At least one filter must be specified")
    with store.lock:
        records = store.profiles.get(profile_type, {})
        ids = sorted(pid for pid, record in records.items() if _matches(group, pid, record))
    return ids[:SEARCH_PAGE_CAP]


def _invalid(message: str) -> SandboxHTTPError:
    return SandboxHTTPError(400, INVALID_REQUEST, message)


def _parse_group(body: dict[str, Any], resolver: _Resolver) -> _Group:
    unknown = sorted(set(body) - {"filters", "operator", "children"})
    if unknown:
        raise _invalid(f"The following group attribute is unrecognized: {unknown[0]}")
    operator = body.get("operator", "&")
    if operator not in GROUP_OPERATORS:
        raise _invalid(f"The following group operator is not valid in the given context: {operator}")
    filters, children = body.get("filters", []), body.get("children", [])
    if not isinstance(filters, list) or not isinstance(children, list):
        raise _invalid("An unknown parsing error occurred")
    return _Group(
        filters=tuple(_parse_filter(f, resolver) for f in filters),
        operator=operator,
        children=tuple(_parse_group(c, resolver) if isinstance(c, dict) else _bad_group() for c in children),
    )


def _bad_group() -> _Group:
    raise _invalid("An unknown parsing error occurred")


def _parse_filter(body: object, resolver: _Resolver) -> _Filter:
    if not isinstance(body, dict):
        raise _invalid("An unknown parsing error occurred")
    unknown = sorted(set(body) - {"name", "value", "operator", "secondaryValue"})
    if unknown:
        raise _invalid(f"The following filter attribute is unrecognized: {unknown[0]}")
    operator = body.get("operator", "=")
    if operator not in FILTER_OPERATORS:
        raise _invalid(f"The following filter operator is not valid in the given context: {operator}")
    name = body.get("name")
    if not isinstance(name, str):
        raise _invalid("An unknown parsing error occurred")
    values = _strings(body.get("value", []))
    upper = _strings(body.get("secondaryValue", []))
    return _Filter(resolver.getter(name), values, operator, upper[0] if upper else None)


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    ):
        raise _invalid("An unknown parsing error occurred")
    return tuple(str(v) for v in value)


def _has_filter(group: _Group) -> bool:
    return bool(group.filters) or any(_has_filter(c) for c in group.children)


def _matches(group: _Group, pid: int, record: dict[str, Any]) -> bool:
    results = [_filter_matches(f, pid, record) for f in group.filters]
    results += [_matches(c, pid, record) for c in group.children]
    return all(results) if group.operator == "&" else any(results)


class _Resolver:
    """Turns a filter name into a getter of candidate values, or refuses it like iCIMS does."""

    def __init__(self, store: FixtureStore, profile_type: str, hidden: dict[str, list[str]]) -> None:
        self.store = store
        self.profile_type = profile_type
        self.prefix = SEARCH_PREFIXES[profile_type]
        self.hidden = hidden

    def getter(self, name: str) -> Getter:
        prefix, _, path = name.partition(".")
        if prefix != self.prefix or not path:
            raise _invalid(f"The following filter is either not valid or hidden: {name}")
        getter = self._field_getter(self.profile_type, path)
        if getter is None:
            raise _invalid(f"The following filter is either not valid or hidden: {name}")
        return getter

    def _field_getter(self, profile_type: str, path: str) -> Getter | None:
        if path == "id":
            return lambda pid, _record: [pid]
        head, _, rest = path.partition(".")
        if head.startswith("customfield") and head[11:].isdigit():
            return self._plain(profile_type, f"field{head[11:]}")
        if profile_type == "applicantworkflows" and head in _WORKFLOW_JOINS and rest:
            return self._joined(*_WORKFLOW_JOINS[head], rest)
        if rest:
            return None
        if head in _ADDRESS_FIELDS and profile_type in ("people", "companies"):
            return lambda _pid, record: [a.get(head) for a in record.get("addresses", []) if isinstance(a, dict)]
        if head == "emailaddress":
            head = "email"
        return self._plain(profile_type, head)

    def _plain(self, profile_type: str, field: str) -> Getter | None:
        if field in self.hidden.get(profile_type, []):
            return None
        if not any(field in record for record in self.store.profiles.get(profile_type, {}).values()):
            return None
        return lambda _pid, record: [record.get(field)]

    def _joined(self, link_field: str, target_type: str, path: str) -> Getter | None:
        inner = self._field_getter(target_type, path)
        if inner is None:
            return None

        def get(_pid: int, record: dict[str, Any]) -> list[Any]:
            link = record.get(link_field)
            target_id = link.get("id") if isinstance(link, dict) else link
            target = self.store.profiles.get(target_type, {}).get(target_id) if isinstance(target_id, int) else None
            return inner(target_id, target) if target is not None and isinstance(target_id, int) else []

        return get


def _filter_matches(flt: _Filter, pid: int, record: dict[str, Any]) -> bool:
    candidates = [c for raw in flt.getter(pid, record) for c in _flatten(raw, exact=False)]
    negated = flt.operator in ("!=", "!==")
    if not flt.values:
        empty = not candidates
        return not empty if negated else empty
    positive = "==" if flt.operator == "!==" else "=" if flt.operator == "!=" else flt.operator
    hit = any(_compare(c, wanted, positive, flt.upper) for c in candidates for wanted in flt.values)
    return not hit if negated else hit


@dataclass(frozen=True)
class _Candidate:
    value: Any
    exact: bool  # ids and list-node values compare whole; free text compares by "contains" under "="


def _flatten(value: Any, *, exact: bool) -> list[_Candidate]:
    if is_empty(value):
        return []
    if isinstance(value, list):
        return [c for item in value for c in _flatten(item, exact=exact)]
    if isinstance(value, dict):
        if "amount" in value:
            return [_Candidate(value["amount"], True)]
        keys = ("id", "value", "formattedvalue", "abbrev")
        return [
            _Candidate(value[k], True) for k in keys if isinstance(value.get(k), str | int) and not is_empty(value[k])
        ]
    return [_Candidate(value, exact or not isinstance(value, str))]


def _compare(candidate: _Candidate, wanted: str, operator: str, upper: str | None) -> bool:
    converters: tuple[Callable[[Any], Any], ...] = (_number, _moment)
    for convert in converters:
        left, right = convert(candidate.value), convert(wanted)
        if left is None:
            continue
        if right is None:
            if convert is _moment:
                return True  # an unparseable date bound is ignored, as iCIMS does
            continue
        if upper is not None and operator == "=":
            top = convert(upper)
            return right <= left and (top is None or left <= top)
        return _ORDER[operator](left, right) if operator in _ORDER else left == right
    if operator in _ORDER:
        return False
    text, target = str(candidate.value).strip().lower(), wanted.strip().lower()
    return target in text if operator == "=" and not candidate.exact else text == target


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return as_decimal(value)
    except ValueCoercionError:
        return None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed: date | None = as_date(value)
        return as_datetime(value) if parsed is not None else None
    except ValueCoercionError:
        return None
