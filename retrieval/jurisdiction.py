"""Jurisdictions: which documents apply to whom.

A document declares where it applies: "US" (a country), "US-CA" (a region of it), several of them, or nothing /
"ALL" (company-wide). A reader in "US-CA" sees documents for "US-CA", for its ancestor "US", and company-wide ones;
never another country's, and never another region's ("US-NY").
"""

from __future__ import annotations

import re

from retrieval.errors import RetrievalError

COMPANY_WIDE = "ALL"
ANY_JURISDICTION = "*"  # search without a jurisdiction filter (administration and evaluation only)

_COUNTRY_ALIASES = {"UK": "GB"}
_ALIASES = {"UK": "GB", "GLOBAL": COMPANY_WIDE, "WORLDWIDE": COMPANY_WIDE, "COMPANY": COMPANY_WIDE, "*": COMPANY_WIDE}
_SHAPE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})*$")


class InvalidJurisdictionError(RetrievalError, ValueError):
    """A jurisdiction that is not a country code, optionally followed by region codes ("US-CA")."""


def normalise(value: str) -> str:
    """Upper-case, aliases resolved ("uk" -> "GB", "global" -> "ALL"), shape checked."""
    code = value.strip().upper().replace("_", "-")
    if code in _ALIASES:
        code = _ALIASES[code]
    else:
        country, separator, rest = code.partition("-")
        code = _COUNTRY_ALIASES.get(country, country) + separator + rest
    if code == COMPANY_WIDE:
        return code
    if not _SHAPE.match(code):
        raise InvalidJurisdictionError(f"jurisdiction {value!r} must look like 'US', 'US-CA', 'GB' or 'ALL'")
    return code


def normalise_many(values: str | list[str] | None) -> list[str]:
    """A document's declaration as a sorted list; none at all means company-wide."""
    if values is None:
        return [COMPANY_WIDE]
    items = [values] if isinstance(values, str) else list(values)
    parts = [p for item in items for p in re.split(r"[,;\s]+", str(item)) if p]
    codes = sorted({normalise(p) for p in parts})
    if not codes:
        return [COMPANY_WIDE]
    return [COMPANY_WIDE] if COMPANY_WIDE in codes else codes


def visible_to(reader: str) -> list[str]:
    """The document jurisdictions a reader in `reader` may see: itself, its ancestors, company-wide."""
    code = normalise(reader)
    if code == COMPANY_WIDE:
        return [COMPANY_WIDE]
    pieces = code.split("-")
    return [COMPANY_WIDE] + ["-".join(pieces[: n + 1]) for n in range(len(pieces))]
