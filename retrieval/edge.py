"""Qdrant Edge: the Qdrant engine in this process, one shard per collection under the store folder.

    <folder>/edge/<collection>/shard/             the shard (segments, write-ahead log)
    <folder>/edge/<collection>/collection.json    the collection's metadata; written last, so it marks a complete shard
    <folder>/edge/<collection>/lock               held while this process has the shard open

Requests arrive as qdrant-client models (`retrieval.schema`) and are translated one to one, so Edge and a server run
the same schema and the same searches. Writes go to the shard's write-ahead log, and every write call ends with a
flush (segments on disk), as does closing.

A shard that cannot be opened (killed mid-write, files damaged, metadata missing or unreadable) is moved aside to
`<collection>.broken` at start-up with a logged message; the collection then reads as missing and is rebuilt from
the documents (`recovered` says why). A shard another process holds raises `IndexLockedError`.
"""

from __future__ import annotations

import fcntl
import json
import logging
import shutil
import threading
from pathlib import Path
from typing import IO, Any

import qdrant_edge as edge
from qdrant_client import models

from retrieval.backend import CollectionInfo, StoredPoint, stored_point
from retrieval.errors import IndexLockedError, IndexNotBuiltError

log = logging.getLogger(__name__)

EDGE_VERSION = "0.9.0"  # pinned in pyproject.toml: Qdrant Edge is beta and its shard format may change
_WRITE_BATCH = 256
_METADATA = "collection.json"

_DISTANCES = {models.Distance.COSINE: edge.Distance.Cosine, models.Distance.DOT: edge.Distance.Dot}
_PAYLOAD_TYPES = {
    models.PayloadSchemaType.KEYWORD: edge.PayloadSchemaType.Keyword,
    models.PayloadSchemaType.INTEGER: edge.PayloadSchemaType.Integer,
}


class _OpenShard:
    def __init__(self, shard: edge.EdgeShard, lock: IO[bytes], metadata: dict[str, Any]) -> None:
        self.shard = shard
        self.lock = lock
        self.metadata = metadata

    def close(self) -> None:
        if not Path(self.lock.name).parent.is_dir():  # its folder was removed (a temporary index): nothing to keep
            self.lock.close()
            return
        try:
            self.shard.flush()
            self.shard.close()
        except Exception as exc:  # its folder is gone or damaged: the write-ahead log or the next start repairs it
            log.warning("could not flush the Qdrant Edge shard at %s: %s", self.lock.name, exc)
        finally:
            self.lock.close()  # releases the flock


class EdgeBackend:
    def __init__(self, folder: Path) -> None:
        self.root = folder / "edge"
        self._shards: dict[str, _OpenShard | None] = {}
        self._recovered: dict[str, str] = {}
        self._lock = threading.RLock()

    # -- collections ------------------------------------------------------------------------------------------------

    def exists(self, collection: str) -> bool:
        return self._open(collection) is not None

    def describe(self, collection: str) -> CollectionInfo:
        opened = self._open(collection)
        if opened is None:
            return CollectionInfo(exists=False)
        return CollectionInfo(exists=True, points=opened.shard.info().points_count, metadata=dict(opened.metadata))

    def recreate(
        self, collection: str, request: models.CreateCollection, indexes: list[models.CreateFieldIndex]
    ) -> None:
        with self._lock:
            self._close(collection)
            folder = self.root / collection
            if folder.is_dir():
                _lock(folder).close()  # raises if another process has it open
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            lock = _lock(folder)
            shard = edge.EdgeShard.create(str(folder / "shard"), edge_config(request))
            for index in indexes:
                shard.update(edge.UpdateOperation.create_field_index(index.field_name, _payload_type(index)))
            shard.flush()
            metadata = dict(request.metadata or {})
            _write_json(folder / _METADATA, {"metadata": metadata, "qdrant_edge": EDGE_VERSION})
            self._shards[collection] = _OpenShard(shard, lock, metadata)
            self._recovered.pop(collection, None)

    def recovered(self, collection: str) -> str | None:
        self._open(collection)
        return self._recovered.get(collection)

    # -- points -----------------------------------------------------------------------------------------------------

    def stored_points(self, collection: str) -> list[StoredPoint]:
        shard = self._shard(collection)
        found: list[StoredPoint] = []
        offset: Any = None
        while True:
            request = edge.ScrollRequest(offset=offset, limit=1024, with_payload=["doc_id", "doc_hash"])
            records, offset = shard.scroll(request)
            found.extend(stored_point(record.id, record.payload) for record in records)
            if offset is None:
                return found

    def upsert(self, collection: str, points: list[models.PointStruct]) -> None:
        shard = self._shard(collection)
        for start in range(0, len(points), _WRITE_BATCH):
            batch = [edge_point(p) for p in points[start : start + _WRITE_BATCH]]
            shard.update(edge.UpdateOperation.upsert_points(batch))
        shard.flush()

    def set_payload(self, collection: str, point_ids: list[str], payload: dict[str, Any]) -> None:
        shard = self._shard(collection)
        shard.update(edge.UpdateOperation.set_payload(list(point_ids), payload))
        shard.flush()

    def delete(self, collection: str, point_ids: list[str]) -> None:
        shard = self._shard(collection)
        for start in range(0, len(point_ids), _WRITE_BATCH):
            shard.update(edge.UpdateOperation.delete_points(list(point_ids[start : start + _WRITE_BATCH])))
        shard.flush()

    def query_batch(self, collection: str, requests: list[models.QueryRequest]) -> list[list[models.ScoredPoint]]:
        shard = self._shard(collection)
        results = shard.query_batch(edge.QueryBatchRequest([edge_query(r) for r in requests]))
        return [
            [models.ScoredPoint(id=str(p.id), version=p.version, score=p.score, payload=p.payload) for p in points]
            for points in results
        ]

    def retrieve(self, collection: str, point_ids: list[str], vector: str) -> list[models.Record]:
        records = self._shard(collection).retrieve(list(point_ids), with_payload=True, with_vector=[vector])
        return [models.Record(id=str(r.id), payload=r.payload, vector=_vectors(r.vector)) for r in records]

    def optimize(self, collection: str) -> None:
        """Edge has no background optimizer: without this, searches scan every vector of a large shard (at 100,000
        points a dense search takes ~17 ms plain and ~2 ms once its HNSW index is built)."""
        shard = self._shard(collection)
        shard.optimize()
        shard.flush()

    def ping(self) -> None:
        """In process: answers while its folder is usable."""
        self.root.mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        with self._lock:
            for collection in list(self._shards):
                self._close(collection)

    # -- opening ----------------------------------------------------------------------------------------------------

    def _shard(self, collection: str) -> edge.EdgeShard:
        opened = self._open(collection)
        if opened is None:
            raise IndexNotBuiltError(f"no collection {collection!r} under {self.root}: run `offer-assistant index`")
        return opened.shard

    def _open(self, collection: str) -> _OpenShard | None:
        with self._lock:
            if collection in self._shards:
                return self._shards[collection]
            folder = self.root / collection
            opened = None
            if folder.is_dir():
                lock = _lock(folder)
                try:
                    opened = _load(folder, lock)
                except Exception as exc:  # the Rust side raises plain Exception for every storage error
                    lock.close()
                    self._set_aside(collection, folder, exc)
            self._shards[collection] = opened
            return opened

    def _set_aside(self, collection: str, folder: Path, error: Exception) -> None:
        aside = folder.with_name(f"{collection}.broken")
        shutil.rmtree(aside, ignore_errors=True)
        folder.rename(aside)
        message = (
            f"the Qdrant Edge shard of collection {collection!r} at {folder} could not be opened ({error}); "
            f"it was moved to {aside} and the index is rebuilt from the documents"
        )
        log.warning(message)
        self._recovered[collection] = message

    def _close(self, collection: str) -> None:
        opened = self._shards.pop(collection, None)
        if opened is not None:
            opened.close()


def _load(folder: Path, lock: IO[bytes]) -> _OpenShard:
    stored = json.loads((folder / _METADATA).read_text(encoding="utf-8"))  # missing: creation never finished
    if not isinstance(stored, dict) or not isinstance(stored.get("metadata"), dict):
        raise ValueError(f"{folder / _METADATA} holds no collection metadata")
    shard = edge.EdgeShard.load(str(folder / "shard"))
    shard.info()  # reads every segment's state: damage shows here rather than in the first search
    return _OpenShard(shard, lock, stored["metadata"])


def _lock(folder: Path) -> IO[bytes]:
    handle = (folder / "lock").open("wb")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.close()
        raise IndexLockedError(
            f"the index folder {folder} is in use by another process (is the chat app running?). Stop it, or run "
            "Qdrant as a server and set vector_store.url so several processes can share the index."
        ) from exc
    return handle


def _write_json(path: Path, value: dict[str, Any]) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(value, sort_keys=True), encoding="utf-8")
    partial.replace(path)


# -- translation of qdrant-client models ----------------------------------------------------------------------------


def edge_config(request: models.CreateCollection) -> edge.EdgeConfig:
    vectors = request.vectors
    if not isinstance(vectors, dict):
        raise TypeError("the schema names its dense vectors")
    return edge.EdgeConfig(
        vectors={
            name: edge.EdgeVectorParams(size=params.size, distance=_DISTANCES[params.distance])
            for name, params in vectors.items()
        },
        sparse_vectors={
            name: edge.EdgeSparseVectorParams(modifier=edge.Modifier.Idf if params.modifier else None)
            for name, params in (request.sparse_vectors or {}).items()
        },
    )


def _payload_type(index: models.CreateFieldIndex) -> edge.PayloadSchemaType:
    if not isinstance(index.field_schema, models.PayloadSchemaType):
        raise TypeError(f"unsupported payload index {index.field_schema!r}")
    return _PAYLOAD_TYPES[index.field_schema]


def edge_point(point: models.PointStruct) -> edge.Point:
    if not isinstance(point.vector, dict):
        raise TypeError("the schema names its vectors")
    vector: dict[str, Any] = {
        name: edge.SparseVector(value.indices, value.values) if isinstance(value, models.SparseVector) else value
        for name, value in point.vector.items()
    }
    return edge.Point(str(point.id), vector, point.payload)


def edge_query(request: models.QueryRequest) -> edge.QueryRequest:
    query = request.query.nearest if isinstance(request.query, models.NearestQuery) else request.query
    if isinstance(query, models.SparseVector):
        vector: Any = edge.SparseVector(query.indices, query.values)
    elif isinstance(query, list):
        vector = query
    else:
        raise TypeError(f"unsupported query {type(query).__name__}")
    selector = request.with_payload
    with_payload: Any = selector.include if isinstance(selector, models.PayloadSelectorInclude) else selector
    return edge.QueryRequest(
        limit=request.limit or 10,
        query=edge.Query.Nearest(vector, using=request.using),
        filter=edge_filter(request.filter) if request.filter else None,
        with_payload=with_payload,
        with_vector=bool(request.with_vector),
    )


def edge_filter(source: models.Filter) -> edge.Filter:
    def conditions(value: Any) -> list[Any] | None:
        if value is None:
            return None
        return [_condition(c) for c in (value if isinstance(value, list) else [value])]

    return edge.Filter(
        must=conditions(source.must), should=conditions(source.should), must_not=conditions(source.must_not)
    )


def _condition(condition: Any) -> Any:
    if isinstance(condition, models.Filter):
        return edge_filter(condition)
    if isinstance(condition, models.IsEmptyCondition):
        return edge.IsEmptyCondition(key=condition.is_empty.key)
    if isinstance(condition, models.FieldCondition):
        match = condition.match
        if isinstance(match, models.MatchAny):
            return edge.FieldCondition(key=condition.key, match=edge.MatchAny(match.any))
        if isinstance(match, models.MatchValue):
            return edge.FieldCondition(key=condition.key, match=edge.MatchValue(match.value))
    raise TypeError(f"unsupported filter condition {condition!r}")


def _vectors(vector: Any) -> dict[str, Any] | None:
    if not isinstance(vector, dict):
        return None
    return {
        name: models.SparseVector(indices=v.indices, values=v.values) if isinstance(v, edge.SparseVector) else v
        for name, v in vector.items()
    }
