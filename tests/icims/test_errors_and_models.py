"""Error mapping from iCIMS bodies and statuses; tolerant models."""

from __future__ import annotations

import json

import pytest

from icims.errors import (
    AccessDenied,
    AuthError,
    BadRequest,
    ICIMSError,
    NotFound,
    RateLimited,
    RequiredField,
    ServerError,
    error_from_response,
)
from icims.models import ApplicantWorkflow, Company, Job, ListNode, Person


def body(code: int | str, message: str = "msg") -> bytes:
    return json.dumps({"errors": [{"errorMessage": message, "errorCode": code}]}).encode()


@pytest.mark.parametrize(
    ("status", "payload", "expected", "code"),
    [
        (404, body(2, "Job not found."), NotFound, 2),
        (404, body(3), AccessDenied, 3),
        (400, body(1), RequiredField, 1),
        (401, body(6), AuthError, 6),
        (500, body(0), ServerError, 0),
        (400, body("1"), RequiredField, 1),
        (429, body(7), RateLimited, 7),
        (401, b"", AuthError, None),
        (403, b"<html>nope</html>", AccessDenied, None),
        (404, b"", NotFound, None),
        (502, b"<html>bad gateway</html>", ServerError, None),
        (400, body(99), BadRequest, 99),
        (418, b"{}", ICIMSError, None),
    ],
)
def test_error_mapping(status: int, payload: bytes, expected: type[ICIMSError], code: int | None) -> None:
    error = error_from_response(status, payload, {"x-transaction": "T-1"})
    assert type(error) is expected
    assert (error.status, error.code, error.transaction_id) == (status, code, "T-1")
    assert str(status) in str(error)


def test_x_error_header_is_used_when_the_body_is_not_json() -> None:
    error = error_from_response(404, b"", {"x-error": "2:Person not found."})
    assert isinstance(error, NotFound)
    assert error.message == "Person not found."


def test_rate_limited_carries_reset() -> None:
    error = error_from_response(429, b"", {}, reset_seconds=42.0)
    assert isinstance(error, RateLimited)
    assert error.reset_seconds == 42.0


def test_models_tolerate_unknown_and_missing_keys() -> None:
    wf = ApplicantWorkflow.model_validate({"brandnewkey": {"x": 1}, "field31001": 5})
    assert (wf.person_id, wf.job_id, wf.status_id) == (None, None, None)
    assert wf.custom == {"field31001": 5}
    assert wf.get("brandnewkey") == {"x": 1}
    assert Person.model_validate({}).full_name is None
    assert Company.model_validate({"addresses": [{"entry": 3}]}).address(3) is not None


def test_models_read_icims_variants() -> None:
    assert ListNode.model_validate("Engineering").value == "Engineering"
    assert ListNode.model_validate({"id": 41001, "value": "X"}).id == "41001"
    created = ApplicantWorkflow.model_validate({"baseprofile": 1008, "associatedprofile": "2468"})
    assert (created.job_id, created.person_id) == (1008, 2468)
    job = Job.model_validate({"department": "Sales", "numberofpositions": "2"})
    assert job.department is not None
    assert job.department.label == "Sales"
    assert job.numberofpositions == 2
