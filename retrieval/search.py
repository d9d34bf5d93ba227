"""Searching the benefits index: the passages for a question, filtered to what applies to the reader."""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel
from qdrant_client import models

from retrieval import fusion, sparse, store
from retrieval import jurisdiction as jur
from retrieval.config import RetrievalConfig
from retrieval.embedding import TextEncoder, default_encoder
from retrieval.errors import IndexIncompatibleError, IndexNotBuiltError
from retrieval.indexer import IndexReport, Progress, build_index
from retrieval.quotes import best_quote
from retrieval.store import Mode

log = logging.getLogger(__name__)


class Passage(BaseModel):
    """One retrieved chunk with everything a citation needs."""

    chunk_id: str
    doc_id: str
    title: str
    section: list[str]
    text: str
    quote: str  # the best sentence, list item or table cells for the query, at most ~200 characters
    score: float  # fused normalised score in hybrid mode (compare within one result list only)
    similarity: float | None  # cosine similarity of query and passage, 0..1-ish; None in BM25-only mode
    jurisdictions: list[str]
    plan_year: int | None
    kind: str

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)

    @property
    def citation(self) -> str:
        return f"{self.title} — {self.section_path}" if self.section else self.title


class IndexStatus(BaseModel):
    exists: bool
    chunks: int
    metadata: dict[str, Any]


TEXT_VECTOR_CACHE = 50_000  # sentence vectors kept: ~80 MB at 384 float32 dimensions


class BenefitsIndex:
    """The benefits knowledge index. Thread-safe; create one per process and share it.

    Searching and indexing are blocking calls (the encoder is CPU-bound); from async code use
    `await asyncio.to_thread(index.search, ...)`.
    """

    def __init__(self, config: RetrievalConfig, encoder: TextEncoder | None = None) -> None:
        self.config = config
        self._encoder = encoder
        self._lock = threading.Lock()
        self._verified = False
        # Repeated questions (the chat's starter questions, retries) skip the encoder; lru_cache is thread-safe.
        self._query_vector = functools.lru_cache(maxsize=config.query_cache_size)(self._embed_query)
        self._text_vectors: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()

    @property
    def encoder(self) -> TextEncoder:
        if self._encoder is None:
            self._encoder = default_encoder()
        return self._encoder

    def build(
        self, *, folder: Path | None = None, progress: Progress | None = None, rebuild: bool = False
    ) -> IndexReport:
        """Index the benefits folder incrementally (see `retrieval.indexer`).

        A stored index found broken when the store opens it (an Edge shard killed mid-write) has been set aside:
        it is rebuilt from the documents here, and `rebuilt` says what was found.
        """
        with self._lock:
            broken = store.recovered(store.client_for(self.config), self.config.collection)
            report = build_index(self.config, self.encoder, folder=folder, progress=progress, rebuild=rebuild)
            if report.chunks_embedded or report.chunks_deleted:
                store.optimize(store.client_for(self.config), self.config.collection)
            if broken is not None:
                report.rebuilt = broken
            self._verified = True
            return report

    def status(self) -> IndexStatus:
        info = store.describe(store.client_for(self.config), self.config.collection)
        return IndexStatus(exists=info.exists, chunks=info.points, metadata=info.metadata)

    def search(
        self,
        query: str,
        *,
        jurisdiction: str,
        top_k: int = 5,
        mode: Mode = "hybrid",
        plan_year: int | None = None,
    ) -> list[Passage]:
        """The `top_k` passages for `query` that apply in `jurisdiction` ("US-CA": US-CA, US and company-wide).

        `jurisdiction` is required on purpose: pass `retrieval.ANY_JURISDICTION` to search everything.
        """
        if not query.strip():
            return []
        self._verify()
        visible = None if jurisdiction == jur.ANY_JURISDICTION else jur.visible_to(jurisdiction)
        dense = self._query_vector(query) if mode != "bm25" else None
        client = store.client_for(self.config)
        ranking = store.rank(
            client,
            self.config.collection,
            mode=mode,
            dense=dense.tolist() if dense is not None else None,
            sparse=sparse.query_vector(query) if mode != "dense" else None,
            query_filter=store.jurisdiction_filter(visible, plan_year),
            candidates=max(self.config.candidates_per_mode, top_k),
            dense_weight=self.config.dense_weight,
        )
        kept = fusion.cap_per_group(ranking, lambda r: r.table, self.config.max_rows_per_table, top_k)
        records = store.fetch(client, self.config.collection, [r.point_id for r in kept])
        return [_passage(r, records[r.point_id], query, dense) for r in kept if r.point_id in records]

    def similarities(self, query: str, texts: list[str]) -> list[float]:
        """The cosine similarity of `query` to each text, by meaning (the same encoder as the index).

        Texts are sentences and table rows of the candidate's documents, which repeat from question to question:
        their vectors are kept (up to `TEXT_VECTOR_CACHE`), so a warm answer embeds only the question.
        """
        if not texts or not query.strip():
            return [0.0 for _ in texts]
        question = self._query_vector(query)
        vectors = self._text_vectors_for(texts)
        return [float(np.dot(vector, question)) for vector in vectors]

    def _text_vectors_for(self, texts: list[str]) -> list[npt.NDArray[np.float32]]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._text_vectors]
        fresh = dict(zip(missing, self.encoder.embed(missing), strict=True)) if missing else {}
        with self._lock:
            known = {t: fresh[t] if t in fresh else self._text_vectors[t] for t in dict.fromkeys(texts)}
            self._text_vectors.update(fresh)
            while len(self._text_vectors) > TEXT_VECTOR_CACHE:
                self._text_vectors.popitem(last=False)
        return [known[t] for t in texts]

    def clear_query_cache(self) -> None:
        """Forget cached query vectors (benchmarks time the encoder, not the cache)."""
        self._query_vector.cache_clear()

    def _embed_query(self, query: str) -> npt.NDArray[np.float32]:
        vector: npt.NDArray[np.float32] = self.encoder.embed([query])[0]
        vector.flags.writeable = False  # shared by every caller of the cache
        return vector

    def _verify(self) -> None:
        """Once per process: the stored vectors must come from this encoder, or every score is meaningless."""
        if self._verified:
            return
        client = store.client_for(self.config)
        info = store.describe(client, self.config.collection)
        broken = None if info.exists else store.recovered(client, self.config.collection)
        if broken is not None:
            log.warning("%s: rebuilding it from %s before searching", broken, self.config.benefits_dir)
            self.build()
            return
        if not info.exists:
            raise IndexNotBuiltError(
                f"no benefits index in collection {self.config.collection!r}: run `offer-assistant index` first"
            )
        built_with = (info.metadata.get("embedding_model"), info.metadata.get("dimension"))
        if built_with != (self.encoder.name, self.encoder.dimension):
            raise IndexIncompatibleError(
                f"the index was built with {built_with[0]} ({built_with[1]} dimensions), not {self.encoder.name}: "
                "run `offer-assistant index` to rebuild it"
            )
        self._verified = True


def _passage(ranked: store.Ranked, record: models.Record, query: str, dense: npt.NDArray[np.float32] | None) -> Passage:
    payload = record.payload or {}
    similarity = None
    vector = record.vector.get(store.DENSE) if isinstance(record.vector, dict) else None
    if dense is not None and isinstance(vector, list):
        similarity = float(np.dot(np.asarray(vector, dtype=np.float32), dense))
    text = str(payload["text"])
    return Passage(
        chunk_id=ranked.point_id,
        doc_id=ranked.doc_id,
        title=str(payload["title"]),
        section=ranked.section,
        text=text,
        quote=best_quote(text, query),
        score=ranked.score,
        similarity=similarity,
        jurisdictions=list(payload.get("jurisdictions") or []),
        plan_year=payload.get("plan_year"),
        kind=ranked.kind,
    )
