"""The vector store: one backend per Qdrant instance and process, the collection layout, writes and queries.

Backends (`retrieval.backend.VectorBackend`):
- Qdrant Edge, the embedded default (`retrieval.edge`): the Qdrant engine in process, one shard per collection;
- a Qdrant server by URL, or qdrant-client's local mode as the way back (`retrieval.client_backend`).
Both receive the same schema and query plan (`retrieval.schema`), so they store and find the same points.

Tenants: each has its own collection (`RetrievalConfig.physical_collection`), reached through the `Store` that
`client_for` returns; the functions here take the logical collection name and never see another tenant's.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from qdrant_client import models

from retrieval import fusion, schema
from retrieval.backend import CollectionInfo, StoredPoint, VectorBackend, VectorStoreUnavailableError
from retrieval.chunking import Chunk
from retrieval.client_backend import ClientBackend
from retrieval.config import RetrievalConfig
from retrieval.edge import EdgeBackend
from retrieval.embedding import Matrix
from retrieval.errors import IndexNotBuiltError
from retrieval.sparse import SparseVector

DENSE = schema.DENSE
SPARSE = schema.SPARSE
jurisdiction_filter = schema.jurisdiction_filter

Mode = Literal["hybrid", "dense", "bm25"]

__all__ = [
    "DENSE",
    "SPARSE",
    "CollectionInfo",
    "Mode",
    "Ranked",
    "Store",
    "StoredPoint",
    "VectorStoreUnavailableError",
    "client_for",
    "close_all",
    "close_client",
    "create_collection",
    "delete",
    "describe",
    "fetch",
    "jurisdiction_filter",
    "optimize",
    "rank",
    "set_doc_hash",
    "stored_points",
    "upsert",
]

_backends: dict[str, VectorBackend] = {}
_backends_lock = threading.Lock()


@dataclass(frozen=True)
class Store:
    """A backend seen by one tenant: collection names are mapped to that tenant's own collections."""

    backend: VectorBackend
    config: RetrievalConfig

    def name(self, collection: str) -> str:
        return self.config.physical_collection(collection)


def client_for(config: RetrievalConfig) -> Store:
    """The process-wide backend for the configured store (Edge folder, local folder or server), for its tenant."""
    with _backends_lock:
        backend = _backends.get(config.store_key)
        if backend is None:
            backend = _open(config)
            _backends[config.store_key] = backend
        return Store(backend, config)


def close_client(config: RetrievalConfig) -> None:
    """Flush and release the backend (and its folder); the next `client_for` opens a new one."""
    with _backends_lock:
        backend = _backends.pop(config.store_key, None)
    if backend is not None:
        backend.close()


@atexit.register
def close_all() -> None:
    """Flush and close every backend; runs at exit so shards are on disk before interpreter teardown."""
    with _backends_lock:
        backends = list(_backends.values())
        _backends.clear()
    for backend in backends:
        backend.close()


def _open(config: RetrievalConfig) -> VectorBackend:
    if config.qdrant_url is not None:
        api_key = config.qdrant_api_key.get_secret_value() if config.qdrant_api_key else None
        return ClientBackend.server(config.qdrant_url, api_key, config.server_timeout_seconds)
    assert config.qdrant_path is not None
    folder = config.qdrant_path.expanduser()
    if config.engine == "qdrant-local":
        return ClientBackend.local(folder)
    return EdgeBackend(folder)


def describe(client: Store, collection: str) -> CollectionInfo:
    return client.backend.describe(client.name(collection))


def recovered(client: Store, collection: str) -> str | None:
    """Why the stored collection was found broken and set aside (it must be rebuilt), if it was."""
    return client.backend.recovered(client.name(collection))


def create_collection(client: Store, config: RetrievalConfig, dimension: int, metadata: dict[str, Any]) -> None:
    """(Re)create the collection: the schema of `retrieval.schema`, with its payload indexes."""
    request = schema.collection_request(dimension, metadata)
    client.backend.recreate(client.name(config.collection), request, schema.index_requests())


def stored_points(client: Store, collection: str) -> list[StoredPoint]:
    """Every point's id with the document it came from: the index's own record of what it holds."""
    return client.backend.stored_points(client.name(collection))


def upsert(
    client: Store,
    collection: str,
    chunks: Sequence[Chunk],
    dense: Matrix,
    sparse: Sequence[SparseVector],
    doc_hashes: dict[str, str],
) -> None:
    client.backend.upsert(client.name(collection), schema.points(chunks, dense, sparse, doc_hashes))


def set_doc_hash(client: Store, collection: str, point_ids: list[str], doc_hash: str) -> None:
    if point_ids:
        client.backend.set_payload(client.name(collection), list(point_ids), {"doc_hash": doc_hash})


def delete(client: Store, collection: str, point_ids: Iterable[str]) -> None:
    ids = list(point_ids)
    if ids:
        client.backend.delete(client.name(collection), ids)


def optimize(client: Store, collection: str) -> None:
    """Build the search indexes for what was written (Edge: blocking, seconds per 10,000 new points)."""
    client.backend.optimize(client.name(collection))


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


def rank(
    client: Store,
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

    Both searches go to the store as one batch, each with the filter, so each spends its candidates on points the
    reader may see; fusion only ever sees those (filtering after fusion would let other jurisdictions fill the
    lists). Only the small ranking fields are read here; `fetch` reads texts and vectors for the points kept.
    """
    name = client.name(collection)
    requests = schema.search_requests(
        dense=dense if mode != "bm25" else None,
        sparse=sparse if mode != "dense" else None,
        query_filter=query_filter,
        limit=candidates,
    )
    if not client.backend.exists(name):
        raise IndexNotBuiltError(f"no benefits index in collection {collection!r}: run `offer-assistant index` first")
    if not requests:
        return []
    lists = [[_ranked(p) for p in points] for points in client.backend.query_batch(name, requests)]
    if len(lists) < 2:
        return lists[0]
    dense_list, sparse_list = lists
    by_id = {r.point_id: r for r in (*sparse_list, *dense_list)}
    fused = fusion.fuse(
        [(r.point_id, r.score) for r in dense_list],
        [(r.point_id, r.score) for r in sparse_list],
        dense_weight=dense_weight,
        limit=candidates,
    )
    return [by_id[f.key].model_copy(update={"score": f.score}) for f in fused]


def fetch(client: Store, collection: str, point_ids: list[str]) -> dict[str, models.Record]:
    """Payloads and dense vectors of the given points."""
    if not point_ids:
        return {}
    records = client.backend.retrieve(client.name(collection), list(point_ids), DENSE)
    return {str(r.id): r for r in records}


def _ranked(point: models.ScoredPoint) -> Ranked:
    payload = point.payload or {}
    return Ranked(
        point_id=str(point.id),
        score=point.score,
        doc_id=str(payload.get("doc_id", "")),
        section=list(payload.get("section") or []),
        kind=str(payload.get("kind", "prose")),
    )
