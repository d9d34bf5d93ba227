"""A folder of benefits documents: which files, what they say, and where they apply.

Where a document applies comes, strongest first, from its own declarations (Markdown/text front matter, HTML
<meta name="jurisdiction">), then from an entry for the file in its folder's `_index.toml`, then from the defaults
of the nearest `_index.toml` up the folder tree. No declaration at all means company-wide.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from retrieval import jurisdiction
from retrieval.errors import BenefitsFolderError
from retrieval.loaders import Block, ParsedDocument, UnreadableDocumentError, parser_for

SIDECAR = "_index.toml"
MAX_FILE_BYTES = 25 * 1024 * 1024
FORMAT_VERSION = "1"  # bump when parsing or chunking changes so every document is re-indexed


class SkipKind(StrEnum):
    UNREADABLE = "unreadable"
    UNSUPPORTED = "unsupported"
    METADATA = "metadata"
    DUPLICATE = "duplicate"


class SkippedFile(BaseModel):
    path: str
    kind: SkipKind
    reason: str


class SourceDocument(BaseModel):
    """One readable document, ready to chunk."""

    doc_id: str  # the path relative to the benefits folder, '/'-separated: stable across runs and machines
    title: str
    format: str
    jurisdictions: list[str]
    plan_year: int | None = None
    blocks: list[Block]
    content_hash: str  # what it says and where it applies: equal hashes are duplicates
    doc_hash: str  # content + title + format version: a change means re-index


class LoadedFolder(BaseModel):
    documents: list[SourceDocument]
    skipped: list[SkippedFile]


class _FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    jurisdiction: str | list[str] | None = None
    plan_year: int | None = None


class _Sidecar(BaseModel):
    model_config = ConfigDict(extra="forbid")
    jurisdiction: str | list[str] | None = None
    plan_year: int | None = None
    files: dict[str, _FileEntry] = Field(default_factory=dict)


class _Declared(BaseModel):
    title: str | None = None
    jurisdiction: str | list[str] | None = None
    plan_year: int | None = None


def load_folder(folder: Path, prefer: frozenset[str] = frozenset()) -> LoadedFolder:
    """Every supported document under `folder`; what could not be used is listed with the reason.

    Of several files with the same content, one is kept: one named in `prefer` (the ids already indexed, so a new
    copy never displaces the original), else the first by path.
    """
    root = _check_folder(folder)
    loaded: list[SourceDocument] = []
    skipped: list[SkippedFile] = []
    sidecars: dict[Path, _Sidecar | str] = {}
    for path in _files(root):
        rel = path.relative_to(root).as_posix()
        try:
            loaded.append(_load(path, rel, _sidecar_chain(root, path.parent, sidecars)))
        except _SkipFileError as skip:
            skipped.append(SkippedFile(path=rel, kind=skip.kind, reason=skip.reason))
    keepers: dict[str, str] = {}
    for document in sorted(loaded, key=lambda d: (d.doc_id not in prefer, d.doc_id)):
        keepers.setdefault(document.content_hash, document.doc_id)
    documents = [d for d in loaded if keepers[d.content_hash] == d.doc_id]
    skipped += [
        SkippedFile(path=d.doc_id, kind=SkipKind.DUPLICATE, reason=f"same content as {keepers[d.content_hash]}")
        for d in loaded
        if keepers[d.content_hash] != d.doc_id
    ]
    if not documents:
        detail = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:5])
        raise BenefitsFolderError(f"no readable documents in {root}" + (f" ({detail})" if detail else ""))
    return LoadedFolder(documents=documents, skipped=sorted(skipped, key=lambda s: s.path))


def _check_folder(folder: Path) -> Path:
    root = folder.expanduser()
    if not root.exists():
        raise BenefitsFolderError(f"benefits folder {root} does not exist")
    if not root.is_dir():
        raise BenefitsFolderError(f"benefits folder {root} is not a folder")
    return root.resolve()


def _files(root: Path) -> list[Path]:
    found = [
        p
        for p in root.rglob("*")
        if p.is_file() and p.name != SIDECAR and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


class _SkipFileError(Exception):
    def __init__(self, kind: SkipKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def _load(path: Path, rel: str, chain: list[_Sidecar]) -> SourceDocument:
    parser = parser_for(path)
    if parser is None:
        raise _SkipFileError(SkipKind.UNSUPPORTED, f"unsupported format {path.suffix or '(no extension)'!r}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _SkipFileError(SkipKind.UNREADABLE, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        parsed = parser(path.read_bytes())
    except UnreadableDocumentError as exc:
        raise _SkipFileError(SkipKind.UNREADABLE, str(exc)) from exc
    except OSError as exc:
        raise _SkipFileError(SkipKind.UNREADABLE, f"cannot read: {exc.strerror or exc}") from exc
    except RecursionError as exc:
        raise _SkipFileError(SkipKind.UNREADABLE, "too deeply nested to parse") from exc
    if not parsed.has_text:
        raise _SkipFileError(SkipKind.UNREADABLE, "no text")
    return _document(path, rel, parsed, chain)


def _document(path: Path, rel: str, parsed: ParsedDocument, chain: list[_Sidecar]) -> SourceDocument:
    declared = _declared(parsed.metadata)
    entry = chain[0].files.get(path.name) if chain else None
    layers = [(declared.jurisdiction, declared.plan_year)]
    layers += [(entry.jurisdiction, entry.plan_year)] if entry else []
    layers += [(sidecar.jurisdiction, sidecar.plan_year) for sidecar in chain]
    title = declared.title or (entry.title if entry else None) or parsed.title or _title_from_name(path)
    raw_jurisdiction = next((j for j, _ in layers if j), None)
    plan_year = next((y for _, y in layers if y is not None), None)
    try:
        codes = jurisdiction.normalise_many(raw_jurisdiction)
    except jurisdiction.InvalidJurisdictionError as exc:
        raise _SkipFileError(SkipKind.METADATA, str(exc)) from exc
    blocks = parsed.blocks
    content_hash = _hash([b.model_dump(mode="json") for b in blocks], codes, plan_year)
    return SourceDocument(
        doc_id=rel,
        title=title,
        format=path.suffix.lower().lstrip("."),
        jurisdictions=codes,
        plan_year=plan_year,
        blocks=blocks,
        content_hash=content_hash,
        doc_hash=_hash(content_hash, title, FORMAT_VERSION),
    )


def _declared(metadata: dict[str, Any]) -> _Declared:
    values = {
        "title": metadata.get("title"),
        "jurisdiction": metadata.get("jurisdiction", metadata.get("jurisdictions")),
        "plan_year": metadata.get("plan_year", metadata.get("plan-year")),
    }
    try:
        return _Declared.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise _SkipFileError(SkipKind.METADATA, f"invalid front matter ({problems})") from exc


def _sidecar_chain(root: Path, folder: Path, cache: dict[Path, _Sidecar | str]) -> list[_Sidecar]:
    """The sidecars that govern files in `folder`, nearest first."""
    chain: list[_Sidecar] = []
    current = folder
    while True:
        if current not in cache:
            cache[current] = _read_sidecar(current / SIDECAR)
        sidecar = cache[current]
        if isinstance(sidecar, str):  # a broken sidecar: guessing where its files apply could show them to anyone
            raise _SkipFileError(SkipKind.METADATA, sidecar)
        chain.append(sidecar)
        if current == root:
            return chain
        current = current.parent


def _read_sidecar(path: Path) -> _Sidecar | str:
    if not path.is_file():
        return _Sidecar()
    try:
        sidecar = _Sidecar.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        for value in [sidecar.jurisdiction, *(e.jurisdiction for e in sidecar.files.values())]:
            jurisdiction.normalise_many(value)
        return sidecar
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError, ValidationError, ValueError) as exc:
        return f"{path.name} in {path.parent.name or path.parent} is invalid: {exc}".replace("\n", " ")


def _title_from_name(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
