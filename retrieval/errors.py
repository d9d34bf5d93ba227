"""Errors the retrieval package raises; each message says what to do."""

from __future__ import annotations


class RetrievalError(Exception):
    """Base of every error raised by `retrieval`."""


class BenefitsFolderError(RetrievalError, ValueError):
    """The benefits folder is missing, not a folder, or holds no readable documents."""


class IndexNotBuiltError(RetrievalError):
    """There is no index to search yet."""


class IndexLockedError(RetrievalError):
    """Another process holds the Qdrant local-mode folder."""


class IndexIncompatibleError(RetrievalError):
    """The stored index was built with another embedding model or sparse scheme."""
