"""The schema and query plan through qdrant-client: a Qdrant server by URL, or local mode (the way back).

Local mode is plain Python over shared arrays (one caller at a time, so calls are serialised) and locks its folder
for the life of the client: a second process gets `IndexLockedError` with advice instead of Qdrant's RuntimeError.
A server that does not answer raises `VectorStoreUnavailableError` naming the URL and the error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import httpx
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException

from retrieval.backend import CollectionInfo, StoredPoint, VectorStoreUnavailableError, stored_point
from retrieval.errors import IndexLockedError

_WRITE_BATCH = 256
T = TypeVar("T")


class ClientBackend:
    def __init__(self, client: QdrantClient, *, url: str | None) -> None:
        self.client = client
        self.url = url
        self._lock: AbstractContextManager[object] = nullcontext() if url else threading.RLock()

    @classmethod
    def server(cls, url: str, api_key: str | None, timeout_seconds: int) -> ClientBackend:
        return cls(QdrantClient(url=url, api_key=api_key, timeout=timeout_seconds, check_compatibility=False), url=url)

    @classmethod
    def local(cls, folder: Path) -> ClientBackend:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            return cls(QdrantClient(path=str(folder)), url=None)
        except RuntimeError as exc:
            if "already accessed" not in str(exc):
                raise
            raise IndexLockedError(
                f"the index folder {folder} is in use by another process (is the chat app running?). Stop it, or "
                "run Qdrant as a server and set vector_store.url so several processes can share the index."
            ) from exc

    @contextmanager
    def _call(self) -> Iterator[None]:
        with self._lock:
            try:
                yield
            except (ResponseHandlingException, httpx.TransportError) as exc:
                raise VectorStoreUnavailableError(f"the Qdrant server at {self.url} did not answer: {exc}") from exc

    def _run(self, work: Callable[[], T]) -> T:
        with self._call():
            return work()

    def exists(self, collection: str) -> bool:
        return self._run(lambda: self.client.collection_exists(collection))

    def describe(self, collection: str) -> CollectionInfo:
        with self._call():
            if not self.client.collection_exists(collection):
                return CollectionInfo(exists=False)
            info = self.client.get_collection(collection)
        return CollectionInfo(exists=True, points=info.points_count or 0, metadata=dict(info.config.metadata or {}))

    def recreate(
        self, collection: str, request: models.CreateCollection, indexes: list[models.CreateFieldIndex]
    ) -> None:
        with self._call():
            if self.client.collection_exists(collection):
                self.client.delete_collection(collection)
            self.client.create_collection(
                collection,
                vectors_config=request.vectors,
                sparse_vectors_config=request.sparse_vectors,
                metadata=request.metadata,
            )
            if self.url is not None:  # local mode has no payload indexes (it filters by scanning)
                for index in indexes:
                    self.client.create_payload_index(collection, index.field_name, field_schema=index.field_schema)

    def stored_points(self, collection: str) -> list[StoredPoint]:
        found: list[StoredPoint] = []
        offset: Any = None
        with self._call():
            while True:
                batch, offset = self.client.scroll(
                    collection, limit=1024, offset=offset, with_payload=["doc_id", "doc_hash"], with_vectors=False
                )
                found.extend(stored_point(record.id, record.payload) for record in batch)
                if offset is None:
                    return found

    def upsert(self, collection: str, points: list[models.PointStruct]) -> None:
        with self._call():
            for start in range(0, len(points), _WRITE_BATCH):
                self.client.upsert(collection, points=points[start : start + _WRITE_BATCH], wait=True)

    def set_payload(self, collection: str, point_ids: list[str], payload: dict[str, Any]) -> None:
        ids: list[models.ExtendedPointId] = list(point_ids)
        self._run(lambda: self.client.set_payload(collection, payload=payload, points=ids, wait=True))

    def delete(self, collection: str, point_ids: list[str]) -> None:
        ids: list[models.ExtendedPointId] = list(point_ids)
        with self._call():
            for start in range(0, len(ids), _WRITE_BATCH):
                selector = models.PointIdsList(points=ids[start : start + _WRITE_BATCH])
                self.client.delete(collection, points_selector=selector, wait=True)

    def query_batch(self, collection: str, requests: list[models.QueryRequest]) -> list[list[models.ScoredPoint]]:
        responses = self._run(lambda: self.client.query_batch_points(collection, requests))
        return [response.points for response in responses]

    def retrieve(self, collection: str, point_ids: list[str], vector: str) -> list[models.Record]:
        ids: list[models.ExtendedPointId] = list(point_ids)
        return self._run(lambda: self.client.retrieve(collection, ids, with_payload=True, with_vectors=[vector]))

    def optimize(self, collection: str) -> None:
        """Nothing to do: a server indexes in the background, local mode has no indexes."""

    def ping(self) -> None:
        self._run(self.client.get_collections)

    def recovered(self, collection: str) -> str | None:  # noqa: ARG002 - qdrant-client recovers its own storage
        return None

    def close(self) -> None:
        with self._lock:
            self.client.close()
