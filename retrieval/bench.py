"""Speed and size figures for the benefits index, printed rather than asserted (they depend on the machine).

Measures, on the given documents: encoder load time; embedding throughput (numpy encoder, and sentence-transformers
on the same texts as a reference when it is importable); indexing from scratch end to end; warm query latency per
mode; quality on a labelled set when one is given. Then, for each size in `scale_sizes`, on a synthetic index of
that many points (demo chunk texts repeated, random unit dense vectors: memory and search cost do not depend on
the values), the write rate, the resident memory and disk size of the index and the query latency at that size,
all with the same engine (Qdrant Edge by default) in the same run, so the sizes compare like for like.

Latency is measured twice per query: "search" is `BenefitsIndex.search` with the query embedding included (the
query-vector cache is cleared), "store" the same search with the query vector cached, i.e. the vector store's part.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from retrieval import sparse, store
from retrieval.chunking import Chunk, chunk_document
from retrieval.config import Engine, RetrievalConfig
from retrieval.documents import load_folder
from retrieval.embedding import MiniLMEncoder
from retrieval.evaluation import MODES, ModeScores, evaluate, load_eval_set
from retrieval.indexer import collection_metadata
from retrieval.search import BenefitsIndex
from retrieval.store import Mode

ENGINE_NAMES = {"edge": "Qdrant Edge (in process)", "qdrant-local": "qdrant-client local mode"}

_QUERIES = (
    "what is the family deductible on the high deductible plan?",
    "how much parental leave do I get?",
    "when is the annual bonus paid?",
    "do I have to repay my sign-on bonus if I leave?",
    "how many vacation days do I get?",
    "what does the company contribute to my pension?",
    "how do my RSUs vest?",
    "is there a home office stipend?",
)


class LatencyFigures(BaseModel):
    mode: Mode
    p50_ms: float
    p95_ms: float
    store_p50_ms: float | None = None  # the same search with the query vector cached: the vector store's part
    store_p95_ms: float | None = None


class ScaleFigures(BaseModel):
    chunks: int
    engine: str = "edge"
    write_seconds: float
    optimize_seconds: float = 0.0  # building the HNSW index after the writes (Edge; what `build` does)
    open_seconds: float
    resident_mb: float | None
    disk_mb: float
    latency: list[LatencyFigures]
    # Hybrid search p50 here and on the demo index, queries alternating between the two: the load on a shared
    # machine drifts over minutes, so only side-by-side figures give a fair ratio.
    paired_p50_ms: float | None = None
    paired_demo_p50_ms: float | None = None

    @property
    def points_per_second(self) -> float:
        return self.chunks / self.write_seconds if self.write_seconds else 0.0

    def hybrid(self) -> LatencyFigures:
        return next(f for f in self.latency if f.mode == "hybrid")


class BenchReport(BaseModel):
    cpu_count: int
    load_average: float | None
    encoder_load_seconds: float
    encoder_resident_mb: float | None
    corpus_documents: int
    corpus_chunks: int
    mean_chunk_word_pieces: float
    embed_chunks_per_second: float
    reference_chunks_per_second: float | None
    index_seconds: float
    index_chunks_per_second: float
    query_embed_p50_ms: float
    latency: list[LatencyFigures]
    quality: list[ModeScores]
    engine: str = "edge"
    scales: list[ScaleFigures] = []

    @property
    def scale(self) -> ScaleFigures | None:
        """The largest synthetic index measured."""
        return self.scales[-1] if self.scales else None

    def hybrid(self) -> LatencyFigures:
        return next(f for f in self.latency if f.mode == "hybrid")

    def growth(self, chunks: int) -> float | None:
        """Hybrid search p50 at `chunks` over its p50 at the demo size (target <= 2)."""
        at = next((s for s in self.scales if s.chunks == chunks), None)
        if at is None or at.paired_p50_ms is None or not at.paired_demo_p50_ms:
            return None
        return at.paired_p50_ms / at.paired_demo_p50_ms


DEFAULT_SCALES = (10_000,)
LARGE_SCALE = 100_000  # opt-in: about 2 minutes to write on 2 cores


def run_benchmark(
    benefits_dir: Path,
    eval_file: Path | None = None,
    *,
    scale_sizes: tuple[int, ...] = DEFAULT_SCALES,
    reference: bool = True,
    workdir: Path | None = None,
    engine: Engine = "edge",
) -> BenchReport:
    """Run every measurement in a private temporary store folder; the configured index is not touched."""
    with tempfile.TemporaryDirectory(prefix="retrieval-bench-", dir=workdir) as tmp:
        before = _resident_mb()
        started = time.perf_counter()
        encoder = MiniLMEncoder()
        load_seconds = time.perf_counter() - started
        after = _resident_mb()
        encoder_mb = after - before if after is not None and before is not None else None
        config = RetrievalConfig(
            benefits_dir=benefits_dir, qdrant_path=Path(tmp) / "demo", collection="bench", engine=engine
        )
        chunks = _corpus_chunks(config, encoder)
        texts = [c.embed_text for c in chunks]
        embed_rate = _rate(lambda: encoder.embed(texts), len(texts))
        reference_rate = _reference_rate(texts) if reference else None

        index = BenefitsIndex(config, encoder)
        report = index.build()
        query_embed = [_ms(partial(encoder.embed, [q])) for q in _QUERIES * 3]
        latency = _latency(index, "US-CA")
        quality = evaluate(index, load_eval_set(eval_file), MODES) if eval_file else []

        scales = [_scale(index, chunks, size, Path(tmp) / f"scale-{size}") for size in scale_sizes]
        store.close_client(config)
        return BenchReport(
            cpu_count=os.cpu_count() or 1,
            load_average=os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
            encoder_load_seconds=load_seconds,
            encoder_resident_mb=encoder_mb,
            corpus_documents=len(report.added),
            corpus_chunks=len(chunks),
            mean_chunk_word_pieces=statistics.mean(encoder.count_word_pieces(t) for t in texts),
            embed_chunks_per_second=embed_rate,
            reference_chunks_per_second=reference_rate,
            index_seconds=report.seconds,
            index_chunks_per_second=report.chunks_embedded / report.seconds,
            query_embed_p50_ms=statistics.median(query_embed),
            latency=latency,
            quality=quality,
            engine=engine,
            scales=scales,
        )


def format_report(report: BenchReport) -> str:
    load = f"{report.load_average:.2f}" if report.load_average is not None else "unknown"
    lines = [
        f"machine: {report.cpu_count} CPUs, 1-minute load average {load} (other work slows every figure)",
        f"vector store: {ENGINE_NAMES[report.engine]}",
        f"encoder load: {report.encoder_load_seconds:.2f} s, {report.encoder_resident_mb or 0:.0f} MB resident",
        f"corpus: {report.corpus_documents} documents, {report.corpus_chunks} chunks, "
        f"{report.mean_chunk_word_pieces:.0f} word pieces per chunk on average",
        f"embedding, numpy (no torch): {report.embed_chunks_per_second:.0f} chunks/s (target >= 150)",
    ]
    if report.reference_chunks_per_second is not None:
        rate = report.reference_chunks_per_second
        lines.append(f"embedding, sentence-transformers + torch (reference only): {rate:.0f} chunks/s")
    lines.append(
        f"indexing from scratch: {report.index_seconds:.1f} s, "
        f"{report.index_chunks_per_second:.0f} chunks/s end to end (target >= 150)"
    )
    lines.append(f"query embedding: p50 {report.query_embed_p50_ms:.1f} ms")
    lines += [_latency_line(f, f"warm, {report.corpus_chunks} chunks, target p50 < 20 ms") for f in report.latency]
    lines += [
        f"quality {q.mode}: hit@1 {q.hit_at_1:.3f}, hit@{q.k} {q.hit_at_k:.3f}, MRR {q.mrr:.3f} ({q.questions} q.)"
        for q in report.quality
    ]
    for s in report.scales:
        memory = f"{s.resident_mb:.0f} MB resident" if s.resident_mb is not None else "resident memory unknown"
        lines.append(
            f"{s.chunks:,} chunks ({ENGINE_NAMES[s.engine]}): {memory} once opened and searched, "
            f"{s.disk_mb:.0f} MB on disk, written in {s.write_seconds:.1f} s ({s.points_per_second:.0f} points/s), "
            f"search index built in {s.optimize_seconds:.1f} s, opened in {s.open_seconds:.2f} s"
        )
        lines += [_latency_line(f, f"{s.chunks:,} chunks") for f in s.latency]
        growth = report.growth(s.chunks)
        if s.chunks == 10_000 and growth is not None:
            lines.append(
                f"hybrid search p50, queries alternating: {s.paired_p50_ms:.1f} ms at 10,000 chunks, "
                f"{s.paired_demo_p50_ms:.1f} ms at {report.corpus_chunks}: {growth:.2f}x (target <= 2x)"
            )
        if s.chunks == LARGE_SCALE:
            lines.append(f"hybrid p95 at 100,000 chunks: {s.hybrid().p95_ms:.1f} ms (target <= 40 ms)")
    return "\n".join(lines)


def _latency_line(figures: LatencyFigures, context: str) -> str:
    line = f"query {figures.mode} ({context}): p50 {figures.p50_ms:.1f} ms, p95 {figures.p95_ms:.1f} ms"
    if figures.store_p50_ms is not None and figures.store_p95_ms is not None:
        line += f"; store part p50 {figures.store_p50_ms:.1f} ms, p95 {figures.store_p95_ms:.1f} ms"
    return line


def _corpus_chunks(config: RetrievalConfig, encoder: MiniLMEncoder) -> list[Chunk]:
    documents = load_folder(config.benefits_dir).documents
    return [c for d in documents for c in chunk_document(d, encoder.count_word_pieces, config.chunk_word_pieces)]


def _latency(index: BenefitsIndex, jurisdiction: str) -> list[LatencyFigures]:
    figures = []
    for mode in MODES:
        for query in _QUERIES[:3]:  # warm-up: first calls pay for caches
            index.search(query, jurisdiction=jurisdiction, mode=mode)
        timings = sorted(_uncached_ms(index, q, jurisdiction, mode) for q in _QUERIES * 5)
        stored = sorted(_ms(partial(index.search, q, jurisdiction=jurisdiction, mode=mode)) for q in _QUERIES * 5)
        figures.append(
            LatencyFigures(
                mode=mode,
                p50_ms=statistics.median(timings),
                p95_ms=_p95(timings),
                store_p50_ms=statistics.median(stored),
                store_p95_ms=_p95(stored),
            )
        )
    return figures


def _p95(ordered: list[float]) -> float:
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _uncached_ms(index: BenefitsIndex, query: str, jurisdiction: str, mode: Mode) -> float:
    """One search timed with the encoder's work included: the queries repeat, the query-vector cache must not."""
    index.clear_query_cache()
    return _ms(partial(index.search, query, jurisdiction=jurisdiction, mode=mode))


def _scale(demo: BenefitsIndex, chunks: list[Chunk], count: int, folder: Path) -> ScaleFigures:
    config, encoder = demo.config, demo.encoder
    scale_config = config.model_copy(update={"qdrant_path": folder, "collection": "scale"})
    store.close_client(scale_config)
    client = store.client_for(scale_config)
    store.create_collection(client, scale_config, encoder.dimension, collection_metadata(scale_config, encoder))
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    for start in range(0, count, 1000):
        batch = [
            chunks[n % len(chunks)].model_copy(
                update={
                    "chunk_id": str(uuid.uuid4()),
                    "doc_id": f"copy-{n // len(chunks)}/{chunks[n % len(chunks)].doc_id}",
                }
            )
            for n in range(start, min(start + 1000, count))
        ]
        dense = rng.standard_normal((len(batch), encoder.dimension)).astype(np.float32)
        dense /= np.linalg.norm(dense, axis=1, keepdims=True)
        vectors = [
            sparse.document_vector(c.embed_text, config.bm25_k1, config.bm25_b, config.bm25_avg_length) for c in batch
        ]
        store.upsert(client, scale_config.collection, batch, dense, vectors, {c.doc_id: "bench" for c in batch})
    write_seconds = time.perf_counter() - started
    started = time.perf_counter()
    store.optimize(client, scale_config.collection)
    optimize_seconds = time.perf_counter() - started
    store.close_client(scale_config)

    before = _resident_mb()
    started = time.perf_counter()
    store.describe(store.client_for(scale_config), scale_config.collection)  # opens the shard (local mode: loads all)
    open_seconds = time.perf_counter() - started
    scaled = BenefitsIndex(scale_config, encoder)
    latency = _latency(scaled, "US-CA")
    after = _resident_mb()
    paired = _paired_p50(demo, scaled, "US-CA")
    store.close_client(scale_config)
    return ScaleFigures(
        chunks=count,
        engine=config.engine,
        write_seconds=write_seconds,
        optimize_seconds=optimize_seconds,
        open_seconds=open_seconds,
        resident_mb=after - before if after is not None and before is not None else None,
        disk_mb=sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6,
        latency=latency,
        paired_demo_p50_ms=paired[0],
        paired_p50_ms=paired[1],
    )


def _paired_p50(first: BenefitsIndex, second: BenefitsIndex, jurisdiction: str) -> tuple[float, float]:
    timings: tuple[list[float], list[float]] = ([], [])
    for query in _QUERIES * 5:
        for index, into in ((first, timings[0]), (second, timings[1])):
            into.append(_uncached_ms(index, query, jurisdiction, "hybrid"))
    return statistics.median(timings[0]), statistics.median(timings[1])


def _reference_rate(texts: list[str]) -> float | None:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    from retrieval.embedding import bundled_model_dir

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is a local folder; never reach for the hub
    model = SentenceTransformer(str(bundled_model_dir()), device="cpu")
    model.encode(texts[:4])
    return _rate(lambda: model.encode(texts, batch_size=32), len(texts))


def _rate(work: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


def _ms(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def _resident_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
