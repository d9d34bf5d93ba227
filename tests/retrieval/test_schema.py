"""One schema and one query plan: what a Qdrant server receives, checked against qdrant-client's request models,
and the same plan run by Qdrant Edge."""

from __future__ import annotations

import numpy as np
import pytest
from qdrant_client import models

from retrieval import schema
from retrieval.chunking import Chunk, ChunkKind
from retrieval.edge import edge_config, edge_filter, edge_point, edge_query
from retrieval.sparse import SparseVector


def roundtrip(model: models.BaseModel) -> models.BaseModel:
    """What the server parses: the JSON the client sends, read back by the same request model."""
    return type(model).model_validate_json(model.model_dump_json(exclude_none=True))


def test_the_collection_has_a_cosine_dense_vector_and_an_idf_sparse_vector() -> None:
    request = schema.collection_request(384, {"embedding_model": "m"})
    parsed = roundtrip(request)
    assert isinstance(parsed, models.CreateCollection)
    assert parsed.vectors == {"dense": models.VectorParams(size=384, distance=models.Distance.COSINE)}
    assert parsed.sparse_vectors == {"bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)}
    assert parsed.metadata == {"embedding_model": "m"}


def test_every_filtered_field_has_a_payload_index() -> None:
    indexes = {i.field_name: i.field_schema for i in map(roundtrip, schema.index_requests())}  # type: ignore[attr-defined]
    assert indexes == {
        "doc_id": models.PayloadSchemaType.KEYWORD,
        "jurisdictions": models.PayloadSchemaType.KEYWORD,
        "plan_year": models.PayloadSchemaType.INTEGER,
    }


def test_a_hybrid_query_is_two_filtered_searches_in_one_batch() -> None:
    query_filter = schema.jurisdiction_filter(["US-CA", "US", "*"], 2026)
    requests = schema.search_requests(
        dense=[0.5, 0.5], sparse=SparseVector(indices=[7, 9], values=[1.0, 1.0]), query_filter=query_filter, limit=30
    )
    batch = models.QueryRequestBatch(searches=requests)
    body = batch.model_dump(mode="json", exclude_none=True)
    dense, bm25 = body["searches"]
    assert dense["query"] == {"nearest": [0.5, 0.5]}
    assert dense["using"] == "dense"
    assert bm25["query"] == {"nearest": {"indices": [7, 9], "values": [1.0, 1.0]}}
    assert bm25["using"] == "bm25"
    expected_filter = {
        "must": [
            {"key": "jurisdictions", "match": {"any": ["US-CA", "US", "*"]}},
            {"should": [{"key": "plan_year", "match": {"value": 2026}}, {"is_empty": {"key": "plan_year"}}]},
        ]
    }
    for search in (dense, bm25):
        assert search["filter"] == expected_filter
        assert search["limit"] == 30
        assert search["with_payload"] == {"include": ["doc_id", "section", "kind"]}
    assert models.QueryRequestBatch.model_validate(body) == batch


def test_a_query_of_stop_words_only_searches_dense_alone() -> None:
    requests = schema.search_requests(
        dense=[1.0], sparse=SparseVector(indices=[], values=[]), query_filter=None, limit=5
    )
    assert [r.using for r in requests] == ["dense"]


def test_no_filter_without_a_jurisdiction_or_plan_year() -> None:
    assert schema.jurisdiction_filter(None, None) is None


def test_points_carry_both_vectors_and_the_document_hash() -> None:
    chunk = Chunk.model_construct(  # only the fields the store relies on: chunking owns the rest
        chunk_id="6f1c7c9e-0b7e-5d55-9a55-6a0e1f2f3a4b",
        doc_id="us/medical.md",
        title="Medical",
        section=["Deductibles"],
        text="The family deductible is $3,200.",
        jurisdictions=["US"],
        plan_year=None,
        kind=ChunkKind.PROSE,
        position=0,
    )
    (point,) = schema.points(
        [chunk],
        np.array([[0.6, 0.8]], dtype=np.float32),
        [SparseVector(indices=[3], values=[1.5])],
        {"us/medical.md": "h1"},
    )
    parsed = roundtrip(models.PointsList(points=[point]))
    assert isinstance(parsed, models.PointsList)
    (stored,) = parsed.points
    assert str(stored.id) == chunk.chunk_id
    assert stored.vector == {"dense": pytest.approx([0.6, 0.8]), "bm25": models.SparseVector(indices=[3], values=[1.5])}
    assert stored.payload is not None
    assert stored.payload["doc_hash"] == "h1"
    assert stored.payload["jurisdictions"] == ["US"]
    assert "chunk_id" not in stored.payload


def test_edge_receives_the_same_schema_and_plan() -> None:
    config = edge_config(schema.collection_request(384, {}))
    assert config.vectors["dense"].size == 384
    assert config.sparse_vectors["bm25"].modifier is not None
    request = schema.search_requests(
        dense=None,
        sparse=SparseVector(indices=[1], values=[1.0]),
        query_filter=schema.jurisdiction_filter(["US"], 2026),
        limit=4,
    )[0]
    translated = edge_query(request)
    assert translated.limit == 4
    assert translated.filter is not None
    assert edge_filter(schema.jurisdiction_filter(["US"], None) or models.Filter()).must is not None
    point = models.PointStruct(id="6f1c7c9e-0b7e-5d55-9a55-6a0e1f2f3a4b", vector={"dense": [1.0]}, payload={"a": 1})
    assert edge_point(point).payload == {"a": 1}


def test_an_unsupported_filter_is_refused_not_dropped() -> None:
    unsupported = models.Filter(must=[models.FieldCondition(key="plan_year", range=models.Range(gte=2020))])
    with pytest.raises(TypeError, match="unsupported filter condition"):
        edge_filter(unsupported)
