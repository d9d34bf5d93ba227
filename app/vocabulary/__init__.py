"""The shared vocabulary: words of any language mapped to one concept word, so questions and documents meet.

Each language is a versioned TOML file beside this module (en.toml, de.toml, es.toml); a tenant adds another
language or its own jargon from configuration (``[vocabulary]`` in offer-assistant.toml), without code:

    version = 1
    language = "fr"
    [words]                 # a word, folded (lower case, no accents) = its concept word
    conges = "vacation"
    [heads]                 # the last part of a compound read as the whole ("…versicherung" = insurance)
    [phrases]               # a concept = regular expressions over folded text naming it in several words
    carryover = ['reporter (?:les|mes) conges']
    [bridge]                # a concept = the words a search in this language uses for it (default: its first words)
    carryover = ["report", "reporter"]

A file may also list `unbridged = ["day", …]`: concepts too common for their words to help a search.

A word maps to one concept in every file; a concept word that is itself a word maps to itself. `load_vocabulary`
raises `VocabularyError` naming the file and the entry when either does not hold.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

BUILTIN_DIR = Path(__file__).resolve().parent
BUILTIN_LANGUAGES = ("en", "de", "es")
BRIDGE_WORDS = 3  # words per concept and language a search adds when the file names none ([bridge])

_WORD = re.compile(r"^[a-z0-9][a-z0-9'-]*$")
_CONCEPT = re.compile(r"^[a-z0-9]+$")


def _folded(value: str) -> str:
    """Lower case without accents ("Übertrag" -> "ubertrag"), as the words of a question are read."""
    return "".join(c for c in unicodedata.normalize("NFKD", value.lower()) if not unicodedata.combining(c))


class VocabularyError(ValueError):
    """A vocabulary file or entry cannot be used; the message names the file and the entry."""


def _folded_word(value: str) -> str:
    if not _WORD.match(value):
        hint = f" (write {_folded(value)!r})" if _WORD.match(_folded(value)) else ""
        raise ValueError(f"{value!r} is not a folded word: lower case, no accents, no spaces{hint}")
    return value


def _concept_word(value: str) -> str:
    if not _CONCEPT.match(value):
        raise ValueError(f"{value!r} is not a concept word (lower-case letters and digits, one word)")
    if value.endswith("s") and not value.endswith(("ss", "us", "is")):
        raise ValueError(f"concept word {value!r} reads as a plural; name the concept in the singular")
    return value


class VocabularyFile(BaseModel):
    """One language's words (a built-in file, a tenant's file, or inline entries under [[vocabulary.inline]])."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    language: str = Field(pattern=r"^[a-z]{2,3}$", description="ISO 639 code of the words, e.g. 'fr'.")
    words: dict[str, str] = Field(default_factory=dict, description="word = concept word")
    heads: dict[str, str] = Field(default_factory=dict, description="compound head = concept word")
    phrases: dict[str, list[str]] = Field(default_factory=dict, description="concept word = regular expressions")
    bridge: dict[str, list[str]] = Field(default_factory=dict, description="concept word = search words")
    unbridged: list[str] = Field(
        default_factory=list, description="concept words too common to help a search find a passage ('day')"
    )

    @field_validator("words", "heads")
    @classmethod
    def _word_table(cls, table: dict[str, str]) -> dict[str, str]:
        for word, concept in table.items():
            try:
                _folded_word(word)
                _concept_word(concept)
            except ValueError as exc:
                raise ValueError(f"entry {word!r}: {exc}") from None
        return table

    @field_validator("unbridged")
    @classmethod
    def _concept_list(cls, concepts: list[str]) -> list[str]:
        for concept in concepts:
            _concept_word(concept)
        return concepts

    @field_validator("phrases")
    @classmethod
    def _phrase_table(cls, table: dict[str, list[str]]) -> dict[str, list[str]]:
        for concept, patterns in table.items():
            try:
                _concept_word(concept)
            except ValueError as exc:
                raise ValueError(f"entry {concept!r}: {exc}") from None
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"entry {concept!r}: {pattern!r} is not a regular expression: {exc}") from None
        return table

    @field_validator("bridge")
    @classmethod
    def _bridge_table(cls, table: dict[str, list[str]]) -> dict[str, list[str]]:
        for concept, search_words in table.items():
            try:
                _concept_word(concept)
            except ValueError as exc:
                raise ValueError(f"entry {concept!r}: {exc}") from None
            if not all(w.strip() for w in search_words):
                raise ValueError(f"entry {concept!r}: an empty search word")
        return table


@dataclass(frozen=True)
class Vocabulary:
    """The merged tables, as `app.ai.extractive` and the search use them."""

    words: Mapping[str, str]
    heads: Mapping[str, str]
    heads_longest_first: tuple[str, ...]
    phrases: tuple[tuple[str, re.Pattern[str]], ...]
    bridges: Mapping[str, Mapping[str, tuple[str, ...]]]  # concept -> language -> search words
    languages: tuple[str, ...]

    @property
    def phrase_concepts(self) -> frozenset[str]:
        """Concepts named by several words: one such word stands for them all, so it weighs more."""
        return frozenset(concept for concept, _ in self.phrases)

    @property
    def concepts(self) -> frozenset[str]:
        return frozenset(self.words.values()) | frozenset(self.heads.values()) | {c for c, _ in self.phrases}

    def search_words(
        self,
        concepts: Iterable[str],
        *,
        besides: str | None = None,
        into: Collection[str] = (),
        per_language: int = 0,
    ) -> list[str]:
        """The words naming `concepts` in the languages `into` (default: all) but `besides`, for a search to meet a
        document in any of them (at most `per_language` words per concept and language when given)."""
        found: list[str] = []
        for concept in concepts:
            for language in self.languages:
                if language == besides or (into and language not in into):
                    continue
                named = self.bridges.get(concept, {}).get(language, ())
                found += [w for w in named[: per_language or None] if w not in found]
        return found


def read_vocabulary_file(path: Path) -> VocabularyFile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VocabularyError(f"vocabulary file {path} cannot be read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise VocabularyError(f"vocabulary file {path} is not valid TOML: {exc}") from exc
    return parse_vocabulary(raw, str(path))


def parse_vocabulary(raw: object, source: str) -> VocabularyFile:
    try:
        return VocabularyFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise VocabularyError(f"vocabulary {source}: {problems}") from exc


def builtin_files() -> list[tuple[str, VocabularyFile]]:
    return [(str(p), read_vocabulary_file(p)) for p in (BUILTIN_DIR / f"{lang}.toml" for lang in BUILTIN_LANGUAGES)]


def load_vocabulary(
    extra_files: Iterable[Path] = (), inline: Iterable[VocabularyFile] = (), *, builtin: bool = True
) -> Vocabulary:
    """The built-in vocabulary with a tenant's files and inline entries added (VocabularyError on a bad one)."""
    sources = builtin_files() if builtin else []
    sources += [(str(p), read_vocabulary_file(p)) for p in extra_files]
    sources += [(f"[[vocabulary.inline]] #{n}", entry) for n, entry in enumerate(inline, start=1)]
    return merge_vocabulary(sources)


@lru_cache(maxsize=1)
def builtin_vocabulary() -> Vocabulary:
    return load_vocabulary()


def merge_vocabulary(sources: list[tuple[str, VocabularyFile]]) -> Vocabulary:
    words = _merged_table(sources, "words")
    heads = _merged_table(sources, "heads")
    _refuse_chains(words, sources)
    phrases: list[tuple[str, re.Pattern[str]]] = []
    for _, entry in sources:
        phrases += [(concept, re.compile(rf"\b(?:{'|'.join(ps)})\b")) for concept, ps in entry.phrases.items() if ps]
    languages = tuple(dict.fromkeys(entry.language for _, entry in sources))
    return Vocabulary(
        words=words,
        heads=heads,
        heads_longest_first=tuple(sorted(heads, key=len, reverse=True)),
        phrases=tuple(phrases),
        bridges=_bridges(sources),
        languages=languages,
    )


def _merged_table(sources: list[tuple[str, VocabularyFile]], table: Literal["words", "heads"]) -> dict[str, str]:
    merged: dict[str, str] = {}
    where: dict[str, str] = {}
    for source, entry in sources:
        for word, concept in getattr(entry, table).items():
            if merged.get(word, concept) != concept:
                raise VocabularyError(
                    f"vocabulary {source}: {table}.{word} = {concept!r}, but {where[word]} maps {word!r} to "
                    f"{merged[word]!r}; a word names one concept"
                )
            merged.setdefault(word, concept)
            where.setdefault(word, source)
    return merged


def _refuse_chains(words: Mapping[str, str], sources: list[tuple[str, VocabularyFile]]) -> None:
    """A concept word that is also a word must map to itself ("leave" = "leave"), or lookups would depend on order."""
    for source, entry in sources:
        for word, concept in entry.words.items():
            if words.get(concept, concept) != concept:
                raise VocabularyError(
                    f"vocabulary {source}: words.{word} = {concept!r}, but {concept!r} is itself a word for "
                    f"{words[concept]!r}; map {word!r} to {words[concept]!r}"
                )


def _bridges(sources: list[tuple[str, VocabularyFile]]) -> dict[str, dict[str, tuple[str, ...]]]:
    named: dict[str, dict[str, list[str]]] = {}
    for _, entry in sources:
        for concept, search_words in entry.bridge.items():
            named.setdefault(concept, {}).setdefault(entry.language, []).extend(search_words)
    listed: dict[str, dict[str, list[str]]] = {}
    for _, entry in sources:
        for word, concept in entry.words.items():
            listed.setdefault(concept, {}).setdefault(entry.language, []).append(word)
    unbridged = {concept for _, entry in sources for concept in entry.unbridged}
    bridges: dict[str, dict[str, tuple[str, ...]]] = {}
    for concept in (named.keys() | listed.keys()) - unbridged:
        languages = named.get(concept, {}).keys() | listed.get(concept, {}).keys()
        bridges[concept] = {
            lang: tuple(named.get(concept, {}).get(lang) or listed[concept][lang][:BRIDGE_WORDS]) for lang in languages
        }
    return bridges
