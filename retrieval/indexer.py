"""Incremental indexing: embed what is new or changed, remove what is gone, leave the rest alone.

The index itself records, per point, the document it came from and that document's hash, so any process can work
out the difference between the folder and the index without a side file. Chunk ids hash the chunk's content, so a
changed document re-embeds only its changed chunks. New points are written before obsolete ones are deleted: a
search during indexing always finds a version of every document, and an interrupted run is repaired by the next.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from retrieval import sparse, store
from retrieval.chunking import Chunk, chunk_document
from retrieval.config import RetrievalConfig
from retrieval.documents import FORMAT_VERSION, SkipKind, SkippedFile, SourceDocument, load_folder
from retrieval.embedding import TextEncoder

Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)
_EMBED_BATCH = 256  # chunks per encoder call: enough batches to keep every worker busy


class IndexReport(BaseModel):
    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)
    kept_previous: list[str] = Field(default_factory=list, description="unreadable now; the last good version stays")
    rebuilt: str | None = Field(None, description="why the whole collection was recreated, if it was")
    chunks_embedded: int = 0
    chunks_deleted: int = 0
    chunks_total: int = 0
    documents_by_jurisdiction: dict[str, int] = Field(default_factory=dict)
    seconds: float = 0.0
    # Where the time went: reading and parsing the files, chunking, the encoder, sparse vectors + writes to the index.
    parse_seconds: float = 0.0
    chunk_seconds: float = 0.0
    embed_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def chunks_per_second(self) -> float:
        """Chunks embedded and written per second of embedding and writing."""
        busy = self.embed_seconds + self.write_seconds
        return self.chunks_embedded / busy if busy else 0.0


def collection_metadata(config: RetrievalConfig, encoder: TextEncoder) -> dict[str, Any]:
    """What the stored vectors depend on: a difference means they must all be rebuilt."""
    return {
        "embedding_model": encoder.name,
        "dimension": encoder.dimension,
        "format_version": FORMAT_VERSION,
        "chunk_word_pieces": config.chunk_word_pieces,
        "sparse": f"bm25-blake2b32 k1={config.bm25_k1} b={config.bm25_b} avg={config.bm25_avg_length}",
    }


def build_index(
    config: RetrievalConfig,
    encoder: TextEncoder,
    *,
    folder: Path | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> IndexReport:
    started = time.perf_counter()
    client = store.client_for(config)
    rebuild_reason = _rebuild_reason(config, encoder, rebuild)
    by_doc: dict[str, list[store.StoredPoint]] = defaultdict(list)
    if rebuild_reason is None:
        for point in store.stored_points(client, config.collection):
            by_doc[point.doc_id].append(point)
    # Loading may fail (missing or empty folder): it happens before anything in the index changes.
    parse_started = time.perf_counter()
    loaded = load_folder(folder or config.benefits_dir, prefer=frozenset(by_doc))
    parse_seconds = time.perf_counter() - parse_started
    if rebuild_reason is not None:
        store.create_collection(client, config, encoder.dimension, collection_metadata(config, encoder))
    report = IndexReport(skipped=loaded.skipped, rebuilt=rebuild_reason, parse_seconds=parse_seconds)

    work = _classify(loaded.documents, by_doc, report)
    chunk_started = time.perf_counter()
    chunks = [c for doc in work for c in chunk_document(doc, encoder.count_word_pieces, config.chunk_word_pieces)]
    report.chunk_seconds = time.perf_counter() - chunk_started
    existing_ids = {p.point_id for points in by_doc.values() for p in points}
    # Similar lengths batch together with little padding; the order points are written in does not matter.
    to_embed = sorted((c for c in chunks if c.chunk_id not in existing_ids), key=lambda c: len(c.embed_text))
    doc_hashes = {doc.doc_id: doc.doc_hash for doc in work}

    _embed_and_write(config, encoder, to_embed, doc_hashes, progress, report)
    report.chunks_embedded = len(to_embed)

    keep_ids = {c.chunk_id for c in chunks}
    for doc in work:
        kept = [p.point_id for p in by_doc.get(doc.doc_id, []) if p.point_id in keep_ids]
        store.set_doc_hash(client, config.collection, kept, doc.doc_hash)
    obsolete = [p.point_id for doc in work for p in by_doc.get(doc.doc_id, []) if p.point_id not in keep_ids]
    current = {doc.doc_id for doc in loaded.documents} | set(report.kept_previous)
    for doc_id in sorted(set(by_doc) - current):
        report.removed.append(doc_id)
        obsolete.extend(p.point_id for p in by_doc[doc_id])
    store.delete(client, config.collection, obsolete)
    report.chunks_deleted = len(obsolete)

    report.chunks_total = store.describe(client, config.collection).points
    report.documents_by_jurisdiction = dict(
        sorted(Counter(code for doc in loaded.documents for code in doc.jurisdictions).items())
    )
    report.seconds = time.perf_counter() - started
    return report


def _rebuild_reason(config: RetrievalConfig, encoder: TextEncoder, rebuild: bool) -> str | None:
    """Why the collection must be (re)created before indexing, or None to update it in place."""
    info = store.describe(store.client_for(config), config.collection)
    if not info.exists:
        return "new index"
    if rebuild:
        return "requested"
    if info.metadata != collection_metadata(config, encoder):
        return f"built with different settings ({info.metadata or 'unknown'})"
    return None


def _classify(
    documents: list[SourceDocument], by_doc: dict[str, list[store.StoredPoint]], report: IndexReport
) -> list[SourceDocument]:
    """Sort documents into added / changed / unchanged; return the ones to (re-)chunk."""
    work: list[SourceDocument] = []
    for doc in documents:
        points = by_doc.get(doc.doc_id)
        if not points:
            report.added.append(doc.doc_id)
            work.append(doc)
        elif any(p.doc_hash != doc.doc_hash for p in points):
            report.changed.append(doc.doc_id)
            work.append(doc)
        else:
            report.unchanged.append(doc.doc_id)
    for skipped in report.skipped:
        if skipped.kind != SkipKind.DUPLICATE and skipped.path in by_doc:
            report.kept_previous.append(skipped.path)  # a file broken by an edit does not take its answers with it
    return work


def _embed_and_write(
    config: RetrievalConfig,
    encoder: TextEncoder,
    chunks: list[Chunk],
    doc_hashes: dict[str, str],
    progress: Progress | None,
    report: IndexReport,
) -> None:
    client = store.client_for(config)
    if progress:
        progress(0, len(chunks))
    for start in range(0, len(chunks), _EMBED_BATCH):
        batch = chunks[start : start + _EMBED_BATCH]
        texts = [c.embed_text for c in batch]
        embed_started = time.perf_counter()
        dense = encoder.embed(texts)
        write_started = time.perf_counter()
        report.embed_seconds += write_started - embed_started
        vectors = [sparse.document_vector(t, config.bm25_k1, config.bm25_b, config.bm25_avg_length) for t in texts]
        store.upsert(client, config.collection, batch, dense, vectors, doc_hashes)
        report.write_seconds += time.perf_counter() - write_started
        if progress:
            progress(start + len(batch), len(chunks))
