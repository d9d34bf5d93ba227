"""One collection schema and one query plan, written once in qdrant-client's request models.

The Qdrant server receives these models as they are; Qdrant Edge receives the same models translated one to one
(`retrieval.edge`). So both backends store the same vectors and payload indexes and run the same searches:

- a cosine dense vector `dense` and a BM25 sparse vector `bm25` whose IDF Qdrant computes (`Modifier.IDF`);
- keyword/integer payload indexes on the fields every search or update filters on;
- per query, one batch of two searches (dense, BM25), each with the reader's jurisdiction filter, fused in
  `retrieval.fusion` (weighted distribution-based fusion: Qdrant's own DBSF has no weights, and weighted RRF
  throws away how far ahead a passage is; fusing here keeps the ranking identical on every backend).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qdrant_client import models

from retrieval.chunking import Chunk
from retrieval.embedding import Matrix
from retrieval.sparse import SparseVector

DENSE = "dense"
SPARSE = "bm25"

# Fields every search (jurisdictions, plan_year) or incremental update (doc_id) filters on.
PAYLOAD_INDEXES: dict[str, models.PayloadSchemaType] = {
    "doc_id": models.PayloadSchemaType.KEYWORD,
    "jurisdictions": models.PayloadSchemaType.KEYWORD,
    "plan_year": models.PayloadSchemaType.INTEGER,
}
RANKING_FIELDS = ["doc_id", "section", "kind"]  # what fusion and the per-table cap need; texts are fetched later


def collection_request(dimension: int, metadata: dict[str, Any]) -> models.CreateCollection:
    return models.CreateCollection(
        vectors={DENSE: models.VectorParams(size=dimension, distance=models.Distance.COSINE)},
        sparse_vectors={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        metadata=metadata,
    )


def index_requests() -> list[models.CreateFieldIndex]:
    return [models.CreateFieldIndex(field_name=name, field_schema=kind) for name, kind in PAYLOAD_INDEXES.items()]


def points(
    chunks: Sequence[Chunk], dense: Matrix, sparse: Sequence[SparseVector], doc_hashes: dict[str, str]
) -> list[models.PointStruct]:
    return [
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


def search_requests(
    *,
    dense: list[float] | None,
    sparse: SparseVector | None,
    query_filter: models.Filter | None,
    limit: int,
) -> list[models.QueryRequest]:
    """The searches of one query, dense first: one per vector given (a BM25 query of stop words only has none)."""
    requests: list[models.QueryRequest] = []
    if dense is not None:
        requests.append(_request(dense, DENSE, query_filter, limit))
    if sparse is not None and sparse.indices:
        vector = models.SparseVector(indices=sparse.indices, values=sparse.values)
        requests.append(_request(vector, SPARSE, query_filter, limit))
    return requests


def _request(
    vector: list[float] | models.SparseVector, using: str, query_filter: models.Filter | None, limit: int
) -> models.QueryRequest:
    return models.QueryRequest(
        query=models.NearestQuery(nearest=vector),
        using=using,
        filter=query_filter,
        limit=limit,
        with_payload=models.PayloadSelectorInclude(include=RANKING_FIELDS),
        with_vector=False,
    )
