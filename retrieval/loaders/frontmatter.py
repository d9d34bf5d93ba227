"""Front matter at the top of a text file: YAML between `---` lines, or TOML between `+++` lines."""

from __future__ import annotations

import tomllib
from typing import Any

import yaml

from retrieval.loaders.blocks import UnreadableDocumentError


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(metadata, body). A file without front matter gives ({}, text)."""
    stripped = text.lstrip("\ufeff")
    for fence, parse in (("---", _yaml), ("+++", _toml)):
        if stripped.startswith(fence + "\n") or stripped.startswith(fence + "\r\n"):
            lines = stripped.splitlines(keepends=True)
            for end in range(1, len(lines)):
                if lines[end].strip() == fence:
                    return parse("".join(lines[1:end])), "".join(lines[end + 1 :])
            raise UnreadableDocumentError(f"front matter opened with {fence!r} is never closed")
    return {}, text


def _yaml(source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise UnreadableDocumentError(f"invalid YAML front matter: {exc}") from exc
    return _mapping(data)


def _toml(source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise UnreadableDocumentError(f"invalid TOML front matter: {exc}") from exc


def _mapping(data: object) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UnreadableDocumentError("front matter must be a mapping of keys to values")
    return {str(k): v for k, v in data.items()}
