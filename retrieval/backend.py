"""What `retrieval.store` needs from a vector store, in qdrant-client's models: Qdrant Edge or qdrant-client.

Collections here are physical names (a tenant's own collection, see `RetrievalConfig.physical_collection`).
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel
from qdrant_client import models

from retrieval.errors import RetrievalError


class VectorStoreUnavailableError(RetrievalError):
    """The Qdrant server did not answer (the message names the URL and the error)."""


class CollectionInfo(BaseModel):
    exists: bool
    points: int = 0
    metadata: dict[str, Any] = {}


class StoredPoint(BaseModel):
    point_id: str
    doc_id: str
    doc_hash: str


class VectorBackend(Protocol):
    def exists(self, collection: str) -> bool: ...

    def describe(self, collection: str) -> CollectionInfo: ...

    def recreate(
        self, collection: str, request: models.CreateCollection, indexes: list[models.CreateFieldIndex]
    ) -> None: ...

    def stored_points(self, collection: str) -> list[StoredPoint]: ...

    def upsert(self, collection: str, points: list[models.PointStruct]) -> None: ...

    def set_payload(self, collection: str, point_ids: list[str], payload: dict[str, Any]) -> None: ...

    def delete(self, collection: str, point_ids: list[str]) -> None: ...

    def query_batch(self, collection: str, requests: list[models.QueryRequest]) -> list[list[models.ScoredPoint]]: ...

    def retrieve(self, collection: str, point_ids: list[str], vector: str) -> list[models.Record]: ...

    def optimize(self, collection: str) -> None:
        """Build the search indexes (HNSW) for what was written; returns when done."""

    def ping(self) -> None:
        """Returns when the store answers; raises otherwise (readiness)."""

    def recovered(self, collection: str) -> str | None:
        """Why the collection was found broken and set aside at start-up, if it was (it must be rebuilt)."""

    def close(self) -> None: ...


def stored_point(point_id: Any, payload: dict[str, Any] | None) -> StoredPoint:
    payload = payload or {}
    return StoredPoint(point_id=str(point_id), doc_id=str(payload["doc_id"]), doc_hash=str(payload.get("doc_hash")))
