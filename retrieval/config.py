"""The retrieval package's own settings: where documents and the index live, and how chunks are cut."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

# "edge": Qdrant Edge (the Qdrant engine in process, one shard per collection under qdrant_path), the default.
# "qdrant-local": qdrant-client's local mode (pure Python, filters by scanning), the documented way back.
Engine = Literal["edge", "qdrant-local"]


class RetrievalConfig(BaseModel):
    """Everything `retrieval` needs; the application maps its settings onto this."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    benefits_dir: Path
    qdrant_path: Path | None = Field(None, description="Folder of the embedded store (Qdrant Edge shards).")
    qdrant_url: str | None = Field(None, description="Qdrant server URL; takes precedence over qdrant_path.")
    qdrant_api_key: SecretStr | None = None
    engine: Engine = Field("edge", description="Embedded engine for qdrant_path; ignored with qdrant_url.")
    collection: str = "benefits"
    tenant: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Whose documents: each tenant has its own collection (shard), so tenants never mix.",
    )
    server_timeout_seconds: int = Field(10, ge=1, description="Per request, Qdrant server only.")
    chunk_word_pieces: int = Field(160, ge=32, le=254, description="Target size of a prose chunk in word pieces.")
    bm25_k1: float = Field(1.2, gt=0)
    bm25_b: float = Field(0.75, ge=0, le=1)
    bm25_avg_length: float = Field(
        40.0, gt=0, description="Assumed mean chunk length in terms; fixed so chunks never need re-weighting."
    )
    candidates_per_mode: int = Field(30, ge=1, description="Dense and sparse hits fused per query.")
    max_rows_per_table: int = Field(
        3, ge=1, description="Rows of one table in a result list before other passages get their turn."
    )
    query_cache_size: int = Field(1024, ge=0, description="Query embeddings kept per index (0: none).")
    dense_weight: float = Field(
        0.7, ge=0, le=1, description="Share of the dense score in hybrid fusion (the rest is BM25's)."
    )

    @model_validator(mode="after")
    def _one_location(self) -> RetrievalConfig:
        if self.qdrant_url is None and self.qdrant_path is None:
            raise ValueError("set qdrant_path (local mode) or qdrant_url (server)")
        return self

    @property
    def store_key(self) -> str:
        """Identifies the Qdrant instance: one client per instance and process (tenants share it)."""
        if self.qdrant_url is not None:
            return f"url:{self.qdrant_url}"
        assert self.qdrant_path is not None
        return f"{self.engine}:{self.qdrant_path.expanduser().resolve()}"

    def physical_collection(self, collection: str) -> str:
        """The collection (Edge shard) that holds `collection` for this config's tenant."""
        return collection if self.tenant is None else f"{collection}--{self.tenant}"
