"""File fields (multipart PATCH …/binary, GET download) and notes as collection rows."""

from __future__ import annotations

import httpx
import pytest

from icims.errors import BadRequest, NotFound
from tests.support.icims_sandbox import SandboxHandle

EVERY_BYTE = bytes(range(256)) * 64


def test_upload_then_download_round_trip(icims: SandboxHandle) -> None:
    client = icims.client()
    client.upload_file("applicantworkflows", 30, "field80010", filename="offer-v1.pdf", content=EVERY_BYTE)
    got = client.download_file("applicantworkflows", 30, "field80010")
    assert got.content == EVERY_BYTE
    assert (got.content_type, got.filename) == ("application/pdf", "offer-v1.pdf")
    field = client.get_profile("applicantworkflows", 30, ["field80010"])["field80010"]
    assert field["file"].endswith("/applicantworkflows/30/fields/field80010/binary")
    assert [(w.kind, w.fields, w.detail["bytes"]) for w in icims.writes()] == [
        ("file", ("field80010",), len(EVERY_BYTE))
    ]


def test_upload_replaces_the_previous_file(icims: SandboxHandle) -> None:
    client = icims.client()
    client.upload_file("applicantworkflows", 30, "field80010", filename="v1.pdf", content=b"one")
    client.upload_file(
        "applicantworkflows", 30, "field80010", filename="v2.txt", content=b"two", content_type="text/plain"
    )
    got = client.download_file("applicantworkflows", 30, "field80010")
    assert (got.content, got.content_type, got.filename) == (b"two", "text/plain", "v2.txt")


def test_missing_file_is_not_found_with_a_json_body(icims: SandboxHandle) -> None:
    with pytest.raises(NotFound) as raised:
        icims.client().download_file("applicantworkflows", 30, "field80010")
    assert raised.value.code == 2
    response = httpx.get(
        f"{icims.base_url}/customers/{icims.customer_id}/applicantworkflows/30/fields/field80010/binary",
        headers={"Authorization": icims.authorization()},
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


def test_a_text_field_is_not_a_file_field(icims: SandboxHandle) -> None:
    with pytest.raises(BadRequest, match="not a file field"):
        icims.client().upload_file("applicantworkflows", 30, "field80002", filename="x.pdf", content=b"%PDF")
    assert icims.profile("applicantworkflows", 30)["field80002"] == "2030-04-01"


def test_upload_without_a_file_part_is_refused(icims: SandboxHandle) -> None:
    response = httpx.patch(
        f"{icims.base_url}/customers/{icims.customer_id}/applicantworkflows/30/fields/field80010/binary",
        content=b"%PDF raw bytes",
        headers={"Authorization": icims.authorization(), "Content-Type": "application/pdf"},
    )
    assert response.status_code == 400
    assert icims.writes() == []


def test_notes_are_collection_rows_with_entry_ids(icims: SandboxHandle) -> None:
    client = icims.client()
    first = client.add_note("applicantworkflows", 30, "Draft v1 generated")
    second = client.add_note("applicantworkflows", 30, "Draft v1 approved")
    assert second > first
    response = httpx.get(
        f"{icims.base_url}/customers/{icims.customer_id}/applicantworkflows/30/fields/notes/{second}",
        headers={"Authorization": icims.authorization()},
    )
    assert response.json() == {"entry": second, "note": "Draft v1 approved"}
    with pytest.raises(ValueError, match="text"):
        client.add_note("applicantworkflows", 30, "   ")
