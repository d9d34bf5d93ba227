"""The Qdrant server path: what goes over the wire (a loopback HTTP server records it; no Qdrant server runs
here), and a URL that does not answer."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from qdrant_client import models

from retrieval import BenefitsIndex, RetrievalConfig, close_client, store
from retrieval.backend import VectorStoreUnavailableError
from retrieval.chunking import Chunk, ChunkKind
from retrieval.client_backend import ClientBackend
from retrieval.sparse import SparseVector


class Recorder(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str, Any]] = []
        self.existing: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def bodies(self, method: str, path_end: str) -> list[Any]:
        return [body for m, path, body in self.requests if m == method and path.split("?")[0].endswith(path_end)]


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.server.requests.append((self.command, self.path, body))
        path = self.path.split("?")[0]
        name = path.split("/")[2] if path.count("/") >= 2 else ""
        result: Any = True
        if path == "/collections":
            result = {"collections": [{"name": n} for n in sorted(self.server.existing)]}
        elif path.endswith("/exists"):
            result = {"exists": name in self.server.existing}
        elif path.endswith("/points/query/batch"):
            result = [{"points": []} for _ in body["searches"]]
        elif "/points" in path or path.endswith("/index"):
            result = {"operation_id": 1, "status": "completed"}
        elif self.command == "PUT" and path.count("/") == 2:
            self.server.existing.add(name)
        payload = json.dumps({"result": result, "status": "ok", "time": 0.0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = _answer  # noqa: N815


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def server_config(tmp_path: Path, url: str, tenant: str | None = None) -> RetrievalConfig:
    return RetrievalConfig(benefits_dir=tmp_path, qdrant_url=url, collection="benefits", tenant=tenant)


def test_schema_creation_on_the_wire(recorder: Recorder, tmp_path: Path) -> None:
    config = server_config(tmp_path, recorder.url, tenant="icims-42")
    client = store.client_for(config)
    try:
        store.create_collection(client, config, 384, {"embedding_model": "m"})
    finally:
        close_client(config)
    (created,) = recorder.bodies("PUT", "/collections/benefits--icims-42")
    request = models.CreateCollection.model_validate(created)
    assert request.vectors == {"dense": models.VectorParams(size=384, distance=models.Distance.COSINE)}
    assert request.sparse_vectors == {"bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)}
    assert request.metadata == {"embedding_model": "m"}
    indexes = [models.CreateFieldIndex.model_validate(b) for b in recorder.bodies("PUT", "/index")]
    assert {(i.field_name, i.field_schema) for i in indexes} == {
        ("doc_id", models.PayloadSchemaType.KEYWORD),
        ("jurisdictions", models.PayloadSchemaType.KEYWORD),
        ("plan_year", models.PayloadSchemaType.INTEGER),
    }


def test_a_hybrid_search_is_one_batch_request_with_the_filter(recorder: Recorder, tmp_path: Path) -> None:
    config = server_config(tmp_path, recorder.url)
    recorder.existing.add("benefits")
    client = store.client_for(config)
    try:
        ranked = store.rank(
            client,
            "benefits",
            mode="hybrid",
            dense=[0.6, 0.8],
            sparse=SparseVector(indices=[5], values=[1.0]),
            query_filter=store.jurisdiction_filter(["US-CA", "US", "*"], None),
            candidates=30,
            dense_weight=0.7,
        )
    finally:
        close_client(config)
    assert ranked == []
    (batch,) = recorder.bodies("POST", "/collections/benefits/points/query/batch")
    searches = models.QueryRequestBatch.model_validate(batch).searches
    assert [s.using for s in searches] == ["dense", "bm25"]
    expected = models.Filter(
        must=[models.FieldCondition(key="jurisdictions", match=models.MatchAny(any=["US-CA", "US", "*"]))]
    )
    assert all(s.filter == expected and s.limit == 30 for s in searches)


def test_points_on_the_wire_carry_both_vectors(recorder: Recorder, tmp_path: Path) -> None:
    config = server_config(tmp_path, recorder.url)
    chunk = Chunk.model_construct(
        chunk_id="6f1c7c9e-0b7e-5d55-9a55-6a0e1f2f3a4b",
        doc_id="d.md",
        section=[],
        kind=ChunkKind.PROSE,
        jurisdictions=["*"],
    )
    client = store.client_for(config)
    try:
        store.upsert(
            client,
            "benefits",
            [chunk],
            np.array([[1.0, 0.0]], dtype=np.float32),
            [SparseVector(indices=[2], values=[0.5])],
            {"d.md": "h"},
        )
        store.delete(client, "benefits", [chunk.chunk_id])
    finally:
        close_client(config)
    (upserted,) = recorder.bodies("PUT", "/collections/benefits/points")
    (point,) = models.PointsList.model_validate(upserted).points
    assert point.vector == {"dense": [1.0, 0.0], "bm25": models.SparseVector(indices=[2], values=[0.5])}
    assert point.payload == {
        "doc_id": "d.md",
        "section": [],
        "kind": "prose",
        "jurisdictions": ["*"],
        "plan_year": None,
        "doc_hash": "h",
    }
    (deleted,) = recorder.bodies("POST", "/collections/benefits/points/delete")
    assert models.PointIdsList.model_validate(deleted).points == [point.id]


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_indexing_against_a_server_that_does_not_answer_names_the_url_and_the_error(tmp_path: Path, encoder) -> None:
    folder = tmp_path / "benefits"
    folder.mkdir()
    (folder / "leave.md").write_text("# Leave\n\n16 weeks of paid parental leave.\n", encoding="utf-8")
    url = closed_port_url()
    config = RetrievalConfig(benefits_dir=folder, qdrant_url=url, collection="benefits")
    try:
        with pytest.raises(VectorStoreUnavailableError, match=f"the Qdrant server at {url} did not answer: .+"):
            BenefitsIndex(config, encoder).build()
        with pytest.raises(VectorStoreUnavailableError, match=url):
            BenefitsIndex(config, encoder).search("parental leave", jurisdiction="US")
    finally:
        close_client(config)


def test_the_server_backend_is_qdrant_client_over_http(tmp_path: Path, recorder: Recorder) -> None:
    config = server_config(tmp_path, recorder.url)
    try:
        backend = store.client_for(config).backend
        assert isinstance(backend, ClientBackend)
        assert backend.url == recorder.url
        backend.ping()
    finally:
        close_client(config)
    assert recorder.bodies("GET", "/collections") == [None]
