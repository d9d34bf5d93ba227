"""``/_sandbox/…``: runtime control of a running sandbox (faults, quota, events, moves) and its logs.

Admin calls need the same credentials as the API (Bearer token or Basic) but never count against the quota
and are never subject to injected faults.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from icims.sandbox.gate import check_credentials
from icims.sandbox.store import INVALID_REQUEST, SandboxHTTPError

if TYPE_CHECKING:
    from icims.sandbox.core import Sandbox


class EditRequest(BaseModel):
    """``POST /_sandbox/edit``: a person changes fields of a profile in iCIMS (no integration-user field rules)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    profile_type: str = Field("applicantworkflows", alias="profileType", pattern=r"^[a-z]+$")
    profile_id: int = Field(alias="id", gt=0)
    values: dict[str, Any] = Field(min_length=1)


class FieldRulesRequest(BaseModel):
    """``POST /_sandbox/field-rules``: fields the integration user may only read, fields the tenant does not have."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    read_only: dict[str, list[str]] | None = Field(None, alias="readOnly")
    missing: dict[str, list[str]] | None = None


class MoveRequest(BaseModel):
    """``POST /_sandbox/move``: what a recruiter does in iCIMS to put a candidate in the offer stage."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    workflow_id: int = Field(alias="workflowId")
    status: str = Field(min_length=1)
    user_id: int | None = Field(None, alias="userId")


class QuotaRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int | None = Field(None, ge=0)
    used: int | None = Field(None, ge=0)


def admin_routes(sandbox: Sandbox) -> list[Route]:
    def route(path: str, handler: Callable[[Sandbox, Request], Awaitable[Any]], *methods: str) -> Route:
        return Route(f"/_sandbox/{path}", _admin(sandbox, handler), methods=list(methods))

    return [
        route("state", state, "GET"),
        route("faults", faults, "GET", "POST", "DELETE"),
        route("quota", quota, "POST"),
        route("move", move, "POST"),
        route("edit", edit, "POST"),
        route("field-rules", field_rules, "POST"),
        route("events", events, "GET", "POST"),
        route("writes", writes, "GET"),
        route("requests", requests, "GET"),
        route("deliveries", deliveries, "GET"),
        route("revoke-tokens", revoke_tokens, "POST"),
    ]


def _admin(
    sandbox: Sandbox, handler: Callable[[Sandbox, Request], Awaitable[Any]]
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        from icims.sandbox.routes import error_response

        try:
            check_credentials(request.headers.get("authorization"), sandbox.options, sandbox.tokens)
            result = await handler(sandbox, request)
        except SandboxHTTPError as exc:
            return error_response(exc)
        except ValidationError as exc:
            return error_response(SandboxHTTPError(400, INVALID_REQUEST, _first(exc)))
        return result if isinstance(result, Response) else JSONResponse(result)

    return endpoint


async def state(sandbox: Sandbox, _request: Request) -> dict[str, Any]:
    reading = sandbox.quota.reading()
    return {
        "customerId": sandbox.customer_id,
        "profiles": {t: len(p) for t, p in sandbox.store.profiles.items()},
        "quota": {"limit": reading.limit, "remaining": reading.remaining, "resetSeconds": reading.reset_seconds},
        "faults": sandbox.faults.model_dump(),
        "writes": len(sandbox.writes(None)),
        "requests": len(sandbox.requests()),
        "deliveries": len(sandbox.deliveries),
        "tokensIssued": sandbox.tokens.issued,
    }


async def faults(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    if request.method == "DELETE":
        return sandbox.clear_faults().model_dump()
    if request.method == "POST":
        return sandbox.set_faults(**await _object(request)).model_dump()
    return sandbox.faults.model_dump()


async def quota(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    wanted = QuotaRequest.model_validate(await _object(request))
    reading = sandbox.set_quota(wanted.limit, wanted.used)
    return {"limit": reading.limit, "remaining": reading.remaining, "resetSeconds": reading.reset_seconds}


async def move(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    wanted = MoveRequest.model_validate(await _object(request))
    result = sandbox.move(wanted.workflow_id, wanted.status, user_id=wanted.user_id)
    return {
        "workflowId": wanted.workflow_id,
        "oldStatus": result.old_status,
        "newStatus": result.new_status,
        "changed": result.new_status != result.old_status,
        "eventUrl": sandbox.configure_events().url,
    }


async def edit(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    wanted = EditRequest.model_validate(await _object(request))
    result = sandbox.edit(wanted.profile_type, wanted.profile_id, wanted.values)
    return {"changed": result.changed}


async def field_rules(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    wanted = FieldRulesRequest.model_validate(await _object(request))
    options = sandbox.restrict_fields(read_only=wanted.read_only, missing=wanted.missing)
    return {"readOnly": options.read_only_fields, "missing": options.missing_fields}


async def events(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    target = (
        sandbox.configure_events(**await _object(request)) if request.method == "POST" else sandbox.configure_events()
    )
    return target.model_dump(mode="json")


async def writes(sandbox: Sandbox, request: Request) -> list[dict[str, Any]]:
    source = request.query_params.get("source", "api")
    return [w.to_json() for w in sandbox.writes(None if source == "all" else source)]


async def requests(sandbox: Sandbox, _request: Request) -> list[dict[str, Any]]:
    return [r.to_json() for r in sandbox.requests()]


async def deliveries(sandbox: Sandbox, _request: Request) -> list[dict[str, Any]]:
    return [
        {"url": d.url, "copy": d.copy, "statusCode": d.status_code, "error": d.error, "payload": d.payload}
        for d in sandbox.deliveries
    ]


async def revoke_tokens(sandbox: Sandbox, _request: Request) -> dict[str, Any]:
    sandbox.revoke_tokens()
    return {"revoked": True}


async def _object(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        raise SandboxHTTPError(400, INVALID_REQUEST, "An unknown parsing error occurred") from None
    if not isinstance(data, dict):
        raise SandboxHTTPError(400, INVALID_REQUEST, "Expected a JSON object.")
    return data


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    return f"{'.'.join(str(p) for p in error['loc']) or 'body'}: {error['msg']}"
