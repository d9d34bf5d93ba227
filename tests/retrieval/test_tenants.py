"""Several tenants in one deployment: each has its own collection (an Edge shard, or a server collection), so a
search, an update or a rebuild of one tenant never sees or touches another's documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval import ANY_JURISDICTION, BenefitsIndex, RetrievalConfig, close_client, store
from retrieval.embedding import MiniLMEncoder


class Tenant:
    def __init__(self, root: Path, name: str, store_folder: Path, encoder: MiniLMEncoder) -> None:
        self.folder = root / name
        self.folder.mkdir()
        self.config = RetrievalConfig(benefits_dir=self.folder, qdrant_path=store_folder, tenant=name)
        self.index = BenefitsIndex(self.config, encoder)

    def write(self, name: str, text: str) -> None:
        (self.folder / name).write_text(text, encoding="utf-8")

    def doc_ids(self, query: str) -> set[str]:
        return {p.doc_id for p in self.index.search(query, jurisdiction=ANY_JURISDICTION, top_k=10)}


@pytest.fixture
def tenants(tmp_path: Path, encoder: MiniLMEncoder) -> Iterator[tuple[Tenant, Tenant]]:
    shared = tmp_path / "store"  # one deployment, one store folder
    acme = Tenant(tmp_path, "acme", shared, encoder)
    globex = Tenant(tmp_path, "globex", shared, encoder)
    acme.write("leave.md", "# Leave\n\nAcme gives 20 weeks of paid parental leave.\n")
    globex.write("leave.md", "# Leave\n\nGlobex gives 12 weeks of paid parental leave.\n")
    globex.write("bonus.md", "# Bonus\n\nThe Globex annual bonus is paid in March.\n")
    yield acme, globex
    close_client(acme.config)


def test_a_tenant_finds_only_its_own_documents(tenants: tuple[Tenant, Tenant]) -> None:
    acme, globex = tenants
    acme.index.build()
    globex.index.build()
    acme_hits = acme.index.search("paid parental leave weeks", jurisdiction=ANY_JURISDICTION, top_k=10)
    assert acme_hits
    assert all("Acme" in p.text for p in acme_hits)
    assert acme.doc_ids("annual bonus paid in March") <= {"leave.md"}  # globex's bonus.md is not there to find
    assert "bonus.md" in globex.doc_ids("annual bonus paid in March")


def test_same_document_in_two_tenants_is_two_points(tenants: tuple[Tenant, Tenant]) -> None:
    acme, globex = tenants
    same = "# Pension\n\nThe company contributes 5% of salary.\n"
    acme.write("pension.md", same)
    globex.write("pension.md", same)  # identical content: identical chunk ids, different collections
    acme.index.build()
    globex.index.build()
    client_a, client_g = store.client_for(acme.config), store.client_for(globex.config)
    ids_a = {p.point_id for p in store.stored_points(client_a, acme.config.collection)}
    ids_g = {p.point_id for p in store.stored_points(client_g, globex.config.collection)}
    assert ids_a & ids_g  # the shared pension chunk, stored once per tenant
    globex.write("pension.md", "# Pension\n\nThe company contributes 7% of salary.\n")
    globex.index.build()
    assert "5%" in acme.index.search("pension contribution", jurisdiction=ANY_JURISDICTION, top_k=1)[0].text


def test_rebuilding_one_tenant_leaves_the_other_alone(tenants: tuple[Tenant, Tenant]) -> None:
    acme, globex = tenants
    acme.index.build()
    globex.index.build()
    before = acme.index.status().chunks
    (globex.folder / "bonus.md").unlink()
    report = globex.index.build(rebuild=True)
    assert report.rebuilt == "requested"
    assert acme.index.status().chunks == before
    assert "leave.md" in acme.doc_ids("parental leave")


def test_each_tenant_has_its_own_collection_name() -> None:
    base = RetrievalConfig(benefits_dir=Path("."), qdrant_url="http://127.0.0.1:6333")
    assert base.physical_collection("benefits") == "benefits"
    assert base.model_copy(update={"tenant": "icims-42"}).physical_collection("benefits") == "benefits--icims-42"


@pytest.mark.parametrize("tenant", ["", "a/b", "../x", "x" * 65])
def test_a_tenant_key_that_is_not_a_plain_name_is_refused(tenant: str) -> None:
    with pytest.raises(ValueError, match="tenant"):
        RetrievalConfig(benefits_dir=Path("."), qdrant_path=Path("q"), tenant=tenant)
