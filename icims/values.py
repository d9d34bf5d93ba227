"""Coercers from iCIMS JSON values to Python values. They never guess: what they cannot read for certain
raises :class:`ValueCoercionError` naming the value; ``None`` means the field is empty.

Shapes read: numbers; numeric strings with thousands separators (``"185,000.00"``); currency objects
``{"amount", "amountstring", "currency"}``; dates ``"yyyy-mm-dd"`` and date-times ``"yyyy-mm-dd hh:mm AM"``
(UTC); list nodes ``{"id", "value", "formattedvalue", "abbrev"}``; person links ``{"profile", "id", "value"}``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,5}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{1,2}:\d{2} ?[AaPp][Mm]")


class ValueCoercionError(ValueError):
    """An iCIMS value that cannot be read as the wanted type."""

    def __init__(self, value: object, target: str, reason: str | None = None) -> None:
        shown = repr(value)
        shown = shown if len(shown) <= 120 else shown[:117] + "..."
        super().__init__(f"cannot read {shown} as {target}" + (f": {reason}" if reason else ""))
        self.value = value
        self.target = target


def is_empty(value: object) -> bool:
    """iCIMS's notion of no value: absent, null, blank text, or an empty list/object (recursively)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(is_empty(v) for v in value)
    return False


def as_decimal(value: object) -> Decimal | None:
    """A number, a numeric string (``"185,000.00"``) or a currency object's amount."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueCoercionError(value, "a number", "booleans are not amounts")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        return _finite(Decimal(str(value)), value)
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            raise ValueCoercionError(value, "a number", "only digits, thousands commas and a decimal point")
        return _finite(Decimal(text.replace(",", "")), value)
    if isinstance(value, dict) and {"amount", "amountstring", "currency"} & value.keys():  # a currency object
        amount = value.get("amount")
        return as_decimal(amount) if not is_empty(amount) else as_decimal(value.get("amountstring"))
    raise ValueCoercionError(value, "a number")


def as_int(value: object) -> int | None:
    """A whole number (``4000``, ``"4,000"``, ``4000.0``)."""
    if is_empty(value):
        return None
    if isinstance(value, dict | list):
        raise ValueCoercionError(value, "a whole number")
    number = as_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueCoercionError(value, "a whole number", "it has a fractional part")
    return int(number)


def currency_of(value: object) -> str | None:
    """The ISO-style currency code of a currency object or a code string (``"usd"`` → ``"USD"``).

    A plain number carries no currency and gives None (the caller looks elsewhere).
    """
    if is_empty(value) or (isinstance(value, int | float | Decimal) and not isinstance(value, bool)):
        return None
    if isinstance(value, dict):
        if "currency" in value or "amount" in value:
            code = value.get("currency")
            return None if is_empty(code) else _currency_code(code, value)
        return _currency_code(_node_text(value, prefer_abbrev=True), value)
    if isinstance(value, str):
        return _currency_code(value, value)
    raise ValueCoercionError(value, "a currency code")


def as_date(value: object) -> date | None:
    """``"yyyy-mm-dd"``, or the date part of a UTC ``"yyyy-mm-dd hh:mm AM"``."""
    when = _date_or_datetime(value)
    if isinstance(when, datetime):
        return when.date()
    return when


def as_datetime(value: object) -> datetime | None:
    """A UTC ``"yyyy-mm-dd hh:mm AM"`` (a bare date is midnight UTC)."""
    when = _date_or_datetime(value)
    if when is None or isinstance(when, datetime):
        return when
    return datetime(when.year, when.month, when.day, tzinfo=UTC)


def as_text(value: object) -> str | None:
    """Text, a list node's or link's ``value``, a number as written, or several list nodes joined by ``", "``."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueCoercionError(value, "text", "booleans are not text")
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | Decimal) or (isinstance(value, float) and value == value and abs(value) != float("inf")):
        return str(value)
    if isinstance(value, dict):
        return _node_text(value, prefer_abbrev=False)
    if isinstance(value, list):
        parts = [as_text(item) for item in value]
        return ", ".join(p for p in parts if p)
    raise ValueCoercionError(value, "text")


def as_code(value: object) -> str | None:
    """A short code: a country/state node's ``abbrev`` (``"US"``, ``"CA"``) or a code-like string."""
    if is_empty(value):
        return None
    if isinstance(value, dict):
        text = _node_text(value, prefer_abbrev=True)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueCoercionError(value, "a code")
    if not _CODE.fullmatch(text):
        raise ValueCoercionError(value, "a code", "no 'abbrev' and the value is not a short code")
    return text.upper()


def _node_text(node: dict[object, object], *, prefer_abbrev: bool) -> str:
    keys = ("abbrev", "value", "formattedvalue") if prefer_abbrev else ("value", "formattedvalue")
    for key in keys:
        candidate = node.get(key)
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    raise ValueCoercionError(node, "text", f"none of {list(keys)} is a non-empty string")


def _currency_code(code: object, original: object) -> str:
    if not isinstance(code, str) or not _CURRENCY.fullmatch(code.strip()):
        raise ValueCoercionError(original, "a currency code", "expected three letters such as USD")
    return code.strip().upper()


def _finite(number: Decimal, original: object) -> Decimal:
    if not number.is_finite():
        raise ValueCoercionError(original, "a number", "not finite")
    return number


def _date_or_datetime(value: object) -> date | datetime | None:
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueCoercionError(value, "a date")
    text = value.strip()
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
        if _DATETIME.fullmatch(text):
            compact = re.sub(r" ?([AaPp][Mm])$", r" \1", text).upper()
            return datetime.strptime(compact, "%Y-%m-%d %I:%M %p").replace(tzinfo=UTC)
    except (ValueError, InvalidOperation) as exc:
        raise ValueCoercionError(value, "a date", str(exc)) from None
    raise ValueCoercionError(value, "a date", "expected yyyy-mm-dd or yyyy-mm-dd hh:mm AM")
