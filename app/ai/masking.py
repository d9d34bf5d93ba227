"""PII masking before any text leaves the process, with reversible placeholders restored in the reply.

Known people (the candidate, recruiter, manager and anyone else in the grounding) are masked by value: names and
name parts, emails, phones (by digits), addresses, dates of birth and government ids. Patterns then catch emails,
phone numbers, SSNs, UK NI numbers, labelled ids, street addresses and dates of birth that nobody listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.ai.dates import find_dates
from app.ai.models import Person
from app.ai.text import fold, fold_aligned

_PLACEHOLDER = re.compile(r"\[(PERSON|EMAIL|PHONE|ADDRESS|DOB|ID)_(\d+)(?:_(FIRST|LAST))?\]", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){1,4}(?![\w])")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_NI = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)
_LABELLED_ID = re.compile(
    r"\b(?:ssn|social security(?: number)?|ni number|national insurance(?: number)?|passport(?: number| no\.?)?"
    r"|tax id|tin|nif|nie|dni|curp|rfc|driver'?s licen[cs]e(?: number)?)\s*(?:is|:|#|no\.?)?\s*"
    r"(?P<id>[A-Z0-9][A-Z0-9 -]{4,18}[A-Z0-9])\b",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"\b\d{1,6}[A-Z]?\s+(?:[A-Z][\w'.-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr"
    r"|Court|Ct|Way|Place|Pl|Terrace|Square|Sq|Parkway|Pkwy|Highway|Hwy|Close|Crescent|Row|Gardens)\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat|#)\.?\s*[\w-]+)?"
)
_DOB_CONTEXT = re.compile(
    r"\b(?:born(?: on)?|date of birth|dob|birthday|birth date|fecha de nacimiento|naci el|naci)\b\s*(?:is|:|-)?\s*",
    re.IGNORECASE,
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@dataclass
class Masker:
    """Masks text for one outbound call and restores the reply; placeholders are stable within the call."""

    people: list[Person] = field(default_factory=list)
    _originals: dict[str, str] = field(default_factory=dict)
    _by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)
    _person_parts: dict[str, str] = field(default_factory=dict)  # "[PERSON_2_FIRST]" -> "Okonkwo", for every person

    def __post_init__(self) -> None:
        for number, person in enumerate(self.people, start=1):
            full = person.display_name
            words = full.split()
            first = person.first_name or (words[0] if words else "")
            last = person.last_name or (words[-1] if len(words) > 1 else "")
            for suffix, value in (("", full), ("_FIRST", first), ("_LAST", last)):
                if value:
                    self._person_parts[f"[PERSON_{number}{suffix}]"] = value

    @classmethod
    def for_people(cls, people: Iterable[Person]) -> Masker:
        return cls(people=[p for p in people if p is not None])

    # -- placeholders -------------------------------------------------------------------------------------------

    def _placeholder(
        self, kind: str, value: str, *, suffix: str = "", number: int | None = None, surface: str | None = None
    ) -> str:
        """The token for `value`; it restores to the canonical name for people, else to the form first seen."""
        key = (kind + suffix, fold(value) if kind != "PHONE" else _digits(value)[-10:])
        if key in self._by_value:
            return self._by_value[key]
        if number is None:
            number = self._counters.get(kind, 0) + 1
            self._counters[kind] = number
        token = f"[{kind}_{number}{suffix}]"
        self._by_value[key] = token
        self._originals[token] = value if kind == "PERSON" or surface is None else surface
        return token

    def _token_for(self, kind: str, value: str, **options: Any) -> Callable[[str], str]:
        return lambda surface: self._placeholder(kind, value, surface=surface, **options)

    def _person_number(self, index: int) -> int:
        self._counters["PERSON"] = max(self._counters.get("PERSON", 0), index)
        return index

    # -- masking ------------------------------------------------------------------------------------------------

    def mask(self, text: str) -> str:
        """`text` with every known and detected personal item replaced by a placeholder."""
        text = _PLACEHOLDER.sub(lambda m: f"({m.group(0)[1:-1]})", text)  # a typed "[PERSON_1]" is not ours
        text = self._mask_known(text)
        return self._mask_patterns(text)

    def _mask_known(self, text: str) -> str:
        for index, person in enumerate(self.people, start=1):
            for kind, values in (
                ("ADDRESS", sorted(person.addresses, key=len, reverse=True)),
                ("EMAIL", person.emails),
                ("ID", person.government_ids),
            ):
                for value in values:
                    text = _replace_folded(text, value, self._token_for(kind, value))
            if person.date_of_birth is not None:
                text = self._mask_dob_value(text, person)
            text = self._mask_phones(text, person.phones)
            text = self._mask_name(text, person, self._person_number(index))
        return text

    def _mask_name(self, text: str, person: Person, number: int) -> str:
        full = person.display_name
        if full:
            text = _replace_folded(text, full, self._token_for("PERSON", full, number=number))
            if person.first_name and person.last_name:
                alt = f"{person.first_name} {person.last_name}"
                text = _replace_folded(text, alt, self._token_for("PERSON", full, number=number))
        parts = [(person.first_name, "_FIRST"), (person.last_name, "_LAST")]
        if not person.first_name and not person.last_name and full:
            words = full.split()
            parts = [(words[0], "_FIRST"), (words[-1], "_LAST")] if len(words) > 1 else [(words[0], "_FIRST")]
        for part, suffix in parts:
            if part and len(part.strip()) > 1:
                text = _replace_folded(text, part, self._token_for("PERSON", part, suffix=suffix, number=number))
        return text

    def _mask_dob_value(self, text: str, person: Person) -> str:
        assert person.date_of_birth is not None
        dob = person.date_of_birth
        for mention in reversed(find_dates(text)):
            if mention.as_date() == dob or (
                mention.year is None
                and (mention.month, mention.day) == (dob.month, dob.day)
                and _DOB_CONTEXT.search(text[max(0, mention.start - 30) : mention.start])
            ):
                surface = text[mention.start : mention.end]
                token = self._placeholder("DOB", dob.isoformat(), surface=surface)
                text = text[: mention.start] + token + text[mention.end :]
        return text

    def _mask_phones(self, text: str, known: list[str]) -> str:
        wanted = {_digits(p)[-10:]: p for p in known if len(_digits(p)) >= 7}

        def swap(match: re.Match[str]) -> str:
            digits = _digits(match.group(0))
            if digits[-10:] in wanted:
                return self._placeholder("PHONE", wanted[digits[-10:]], surface=match.group(0))
            return match.group(0)

        return _PHONE.sub(swap, text) if wanted else text

    def _mask_patterns(self, text: str) -> str:
        text = _EMAIL.sub(lambda m: self._placeholder("EMAIL", m.group(0)), text)
        text = _SSN.sub(lambda m: self._placeholder("ID", m.group(0)), text)
        text = _NI.sub(lambda m: self._placeholder("ID", m.group(0)), text)
        text = _LABELLED_ID.sub(
            lambda m: m.group(0).replace(m.group("id"), self._placeholder("ID", m.group("id"))), text
        )
        text = self._mask_dob_patterns(text)
        text = _STREET.sub(lambda m: self._placeholder("ADDRESS", m.group(0)), text)
        return _PHONE.sub(self._phone_if_plausible, text)

    def _phone_if_plausible(self, match: re.Match[str]) -> str:
        raw = match.group(0)
        digits = _digits(raw)
        separators = len(re.findall(r"[\s.()-]", raw))
        if 9 <= len(digits) <= 15 and (raw.startswith("+") or separators >= 2) and not _looks_like_date(raw):
            return self._placeholder("PHONE", raw)
        return raw

    def _mask_dob_patterns(self, text: str) -> str:
        for context in reversed(list(_DOB_CONTEXT.finditer(text))):
            mention = next((m for m in find_dates(text[context.end() : context.end() + 40]) if m.start == 0), None)
            if mention is None:
                continue
            start, end = context.end() + mention.start, context.end() + mention.end
            token = self._placeholder("DOB", text[start:end])
            text = text[:start] + token + text[end:]
        return text

    # -- restoring ----------------------------------------------------------------------------------------------

    def _restore(self, token: str) -> str | None:
        return self._originals.get(token) or self._person_parts.get(token)

    def unmask(self, text: str) -> str:
        """The reply with every placeholder put back (a known person's name parts even if that form was not sent);
        unknown ones are left as they are."""
        return _PLACEHOLDER.sub(lambda m: self._restore(_canonical(m)) or m.group(0), text)

    def unknown_placeholders(self, text: str) -> list[str]:
        return [m.group(0) for m in _PLACEHOLDER.finditer(text) if self._restore(_canonical(m)) is None]

    @property
    def masked_values(self) -> list[str]:
        """Everything masked so far (for tests and audits of what was withheld)."""
        return list(self._originals.values())


def _canonical(match: re.Match[str]) -> str:
    suffix = f"_{match.group(3).upper()}" if match.group(3) else ""
    return f"[{match.group(1).upper()}_{match.group(2)}{suffix}]"


def _looks_like_date(raw: str) -> bool:
    return re.fullmatch(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}", raw.strip()) is not None


def _replace_folded(text: str, needle: str, token: Callable[[str], str]) -> str:
    """Replace `needle` in `text` ignoring case, accents and runs of whitespace, on word boundaries."""
    folded_needle = fold(needle)
    if not folded_needle:
        return text
    pattern = re.compile(
        r"(?<![\w@.])" + r"\s+".join(re.escape(part) for part in folded_needle.split(" ")) + r"(?![\w@])",
    )
    haystack = fold_aligned(text)
    pieces, cursor = [], 0
    for match in pattern.finditer(haystack):
        pieces += [text[cursor : match.start()], token(text[match.start() : match.end()])]
        cursor = match.end()
    return "".join([*pieces, text[cursor:]])
