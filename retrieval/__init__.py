"""The benefits knowledge index: documents in, cited passages out. Knows nothing about candidates or offers.

index = BenefitsIndex(RetrievalConfig(benefits_dir=..., qdrant_path=...))   # Qdrant Edge; or qdrant_url=...
index.build()                                            # incremental
index.search("family deductible on the HDHP?", jurisdiction="US-CA")
"""

from __future__ import annotations

from retrieval.backend import VectorStoreUnavailableError
from retrieval.config import RetrievalConfig
from retrieval.documents import SkipKind, SkippedFile
from retrieval.embedding import MiniLMEncoder, TextEncoder, default_encoder
from retrieval.errors import (
    BenefitsFolderError,
    IndexIncompatibleError,
    IndexLockedError,
    IndexNotBuiltError,
    RetrievalError,
)
from retrieval.indexer import IndexReport
from retrieval.jurisdiction import ANY_JURISDICTION, COMPANY_WIDE, InvalidJurisdictionError
from retrieval.search import BenefitsIndex, IndexStatus, Passage
from retrieval.store import Mode, close_client

__all__ = [
    "ANY_JURISDICTION",
    "COMPANY_WIDE",
    "BenefitsFolderError",
    "BenefitsIndex",
    "IndexIncompatibleError",
    "IndexLockedError",
    "IndexNotBuiltError",
    "IndexReport",
    "IndexStatus",
    "InvalidJurisdictionError",
    "MiniLMEncoder",
    "Mode",
    "Passage",
    "RetrievalConfig",
    "RetrievalError",
    "SkipKind",
    "SkippedFile",
    "TextEncoder",
    "VectorStoreUnavailableError",
    "close_client",
    "default_encoder",
]
