"""The Qdrant side: one client per Qdrant instance and process, the collection layout, writes and queries.

Local mode (a folder) locks that folder for the life of the client, so clients are cached per process and shared
by everything in it; a second process gets `IndexLockedError` with advice instead of Qdrant's RuntimeError.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Literal

from pydantic import BaseModel
from qdrant_client import QdrantClient, models

from retrieval import fusion
from retrieval.chunking import Chunk
from retrieval.config import RetrievalConfig
from retrieval.embedding import Matrix
from retrieval.errors import IndexLockedError, IndexNotBuiltError
from retrieval.sparse import SparseVector

DENSE = "dense"
SPARSE = "bm25"
_WRITE_BATCH = 256

Mode = Literal["hybrid", "dense", "bm25"]

_clients: dict[str, QdrantClient] = {}
_clients_lock = threading.Lock()
_local_locks: dict[int, threading.RLock] = {}  # local mode is plain Python over shared arrays: one caller at a time


def client_for(config: RetrievalConfig) -> QdrantClient:
    """The process-wide client for the configured Qdrant (local folder or server)."""
    key = config.store_key
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _open(config)
            _clients[key] = client
            if config.qdrant_url is None:
                _local_locks[id(client)] = threading.RLock()
        return client


def close_client(config: RetrievalConfig) -> None:
    """Release the client (and a local folder's lock); the next `client_for` opens a new one."""
    with _clients_lock:
        client = _clients.pop(config.store_key, None)
    if client is not None:
        with _guard(client):
            client.close()
        _local_locks.pop(id(client), None)


@atexit.register
def close_all() -> None:
    """Close every cached client; runs at exit so local-mode folders are released before interpreter teardown."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


def _guard(client: QdrantClient) -> AbstractContextManager[object]:
    lock = _local_locks.get(id(client))
    return lock if lock is not None else nullcontext()


def _open(config: RetrievalConfig) -> QdrantClient:
    if config.qdrant_url is not None:
        api_key = config.qdrant_api_key.get_secret_value() if config.qdrant_api_key else None
        return QdrantClient(url=config.qdrant_url, api_key=api_key)
    assert config.qdrant_path is not None
    folder = config.qdrant_path.expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return QdrantClient(path=str(folder))
    except RuntimeError as exc:
        if "already accessed" not in str(exc):
            raise
        raise IndexLockedError(
            f"the index folder {folder} is in use by another process (is the chat app running?). Stop it, or run "
            "Qdrant as a server and set vector_store.url so several processes can share the index."
        ) from exc


class CollectionInfo(BaseModel):
    exists: bool
    points: int = 0
    metadata: dict[str, Any] = {}


def describe(client: QdrantClient, collection: str) -> CollectionInfo:
    with _guard(client):
        if not client.collection_exists(collection):
            return CollectionInfo(exists=False)
        info = client.get_collection(collection)
        return CollectionInfo(exists=True, points=info.points_count or 0, metadata=dict(info.config.metadata or {}))


def create_collection(client: QdrantClient, config: RetrievalConfig, dimension: int, metadata: dict[str, Any]) -> None:
    """(Re)create the collection: a cosine dense vector and a BM25 sparse vector with Qdrant's IDF modifier."""
    with _guard(client):
        if client.collection_exists(config.collection):
            client.delete_collection(config.collection)
        client.create_collection(
            config.collection,
            vectors_config={DENSE: models.VectorParams(size=dimension, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            metadata=metadata,
        )
        if config.qdrant_url is not None:  # local mode has no payload indexes (it filters by scanning)
            for field, schema in (
                ("doc_id", models.PayloadSchemaType.KEYWORD),
                ("jurisdictions", models.PayloadSchemaType.KEYWORD),
                ("plan_year", models.PayloadSchemaType.INTEGER),
            ):
                client.create_payload_index(config.collection, field, field_schema=schema)


class StoredPoint(BaseModel):
    point_id: str
    doc_id: str
    doc_hash: str


def stored_points(client: QdrantClient, collection: str) -> list[StoredPoint]:
    """Every point's id with the document it came from: the index's own record of what it holds."""
    with _guard(client):
        points: list[StoredPoint] = []
        offset: Any = None
        while True:
            batch, offset = client.scroll(
                collection, limit=1024, offset=offset, with_payload=["doc_id", "doc_hash"], with_vectors=False
            )
            for record in batch:
                payload = record.payload or {}
                points.append(
                    StoredPoint(
                        point_id=str(record.id), doc_id=str(payload["doc_id"]), doc_hash=str(payload.get("doc_hash"))
                    )
                )
            if offset is None:
                return points


def upsert(
    client: QdrantClient,
    collection: str,
    chunks: Sequence[Chunk],
    dense: Matrix,
    sparse: Sequence[SparseVector],
    doc_hashes: dict[str, str],
) -> None:
    points = [
        models.PointStruct(
            id=chunk.chunk_id,
            vector={
                DENSE: dense[n].tolist(),
                SPARSE: models.SparseVector(indices=sparse[n].indices, values=sparse[n].values),
            },
            payload={**chunk.model_dump(mode="json", exclude={"chunk_id"}), "doc_hash": doc_hashes[chunk.doc_id]},
        )
        for n, chunk in enumerate(chunks)
    ]
    with _guard(client):
        for start in range(0, len(points), _WRITE_BATCH):
            client.upsert(collection, points=points[start : start + _WRITE_BATCH], wait=True)


def set_doc_hash(client: QdrantClient, collection: str, point_ids: list[str], doc_hash: str) -> None:
    with _guard(client):
        if point_ids:
            client.set_payload(collection, payload={"doc_hash": doc_hash}, points=list(point_ids), wait=True)


def delete(client: QdrantClient, collection: str, point_ids: Iterable[str]) -> None:
    ids: list[models.ExtendedPointId] = list(point_ids)
    with _guard(client):
        for start in range(0, len(ids), _WRITE_BATCH):
            client.delete(collection, points_selector=models.PointIdsList(points=ids[start : start + _WRITE_BATCH]))


def jurisdiction_filter(visible: list[str] | None, plan_year: int | None) -> models.Filter | None:
    """Points whose jurisdictions include one the reader may see; of the given plan year or of none."""
    must: list[models.Condition] = []
    if visible is not None:
        must.append(models.FieldCondition(key="jurisdictions", match=models.MatchAny(any=visible)))
    if plan_year is not None:
        must.append(
            models.Filter(
                should=[
                    models.FieldCondition(key="plan_year", match=models.MatchValue(value=plan_year)),
                    models.IsEmptyCondition(is_empty=models.PayloadField(key="plan_year")),
                ]
            )
        )
    return models.Filter(must=must) if must else None


class Ranked(BaseModel):
    """A candidate of a search: its id, score and the payload fields that say which table it is a row of."""

    point_id: str
    score: float
    doc_id: str
    section: list[str]
    kind: str

    @property
    def table(self) -> tuple[str, ...] | None:
        """Rows of one table share a document and a section; prose belongs to no table."""
        return (self.doc_id, *self.section) if self.kind == "table_row" else None


_RANKING_FIELDS = models.PayloadSelectorInclude(include=["doc_id", "section", "kind"])


def rank(
    client: QdrantClient,
    collection: str,
    *,
    mode: Mode,
    dense: list[float] | None,
    sparse: SparseVector | None,
    query_filter: models.Filter | None,
    candidates: int,
    dense_weight: float,
) -> list[Ranked]:
    """Up to `candidates` points by dense, BM25, or both fused by normalised score (`retrieval.fusion`), best first.

    In hybrid mode each source searches with the filter, so each spends its candidates on points the reader may
    see; fusion only ever sees those (filtering after fusion would let other jurisdictions fill the lists). Only the
    small ranking fields are read here; `fetch` reads texts and vectors for the few points that are kept.
    """
    sparse_query = models.SparseVector(indices=sparse.indices, values=sparse.values) if sparse else None
    if sparse_query is not None and not sparse_query.indices:
        sparse_query = None  # only stop words: BM25 has nothing to match
    searches: list[tuple[Any, str]] = []
    if mode != "bm25" and dense is not None:
        searches.append((dense, DENSE))
    if mode != "dense" and sparse_query is not None:
        searches.append((sparse_query, SPARSE))
    with _guard(client):
        _require(client, collection)
        lists = [
            [
                _ranked(point)
                for point in client.query_points(
                    collection,
                    query=vector,
                    using=using,
                    query_filter=query_filter,
                    limit=candidates,
                    with_payload=_RANKING_FIELDS,
                ).points
            ]
            for vector, using in searches
        ]
    if len(lists) < 2:
        return lists[0] if lists else []
    dense_list, sparse_list = lists
    by_id = {r.point_id: r for r in (*sparse_list, *dense_list)}
    fused = fusion.fuse(
        [(r.point_id, r.score) for r in dense_list],
        [(r.point_id, r.score) for r in sparse_list],
        dense_weight=dense_weight,
        limit=candidates,
    )
    return [by_id[f.key].model_copy(update={"score": f.score}) for f in fused]


def fetch(client: QdrantClient, collection: str, point_ids: list[str]) -> dict[str, models.Record]:
    """Payloads and dense vectors of the given points."""
    with _guard(client):
        records = client.retrieve(collection, list(point_ids), with_payload=True, with_vectors=[DENSE])
    return {str(r.id): r for r in records}


def _require(client: QdrantClient, collection: str) -> None:
    if not client.collection_exists(collection):
        raise IndexNotBuiltError(f"no benefits index in collection {collection!r}: run `offer-assistant index` first")


def _ranked(point: models.ScoredPoint) -> Ranked:
    payload = point.payload or {}
    return Ranked(
        point_id=str(point.id),
        score=point.score,
        doc_id=str(payload.get("doc_id", "")),
        section=list(payload.get("section") or []),
        kind=str(payload.get("kind", "prose")),
    )
