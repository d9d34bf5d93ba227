"""The sandbox's HTTP surface: iCIMS's REST paths under ``/customers/{cid}``, the token endpoint, and admin."""

from __future__ import annotations

import json
import mimetypes
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from icims.errors import RESOURCE_ACCESS_DENIED, RESOURCE_NOT_FOUND
from icims.sandbox.admin import admin_routes
from icims.sandbox.gate import (
    OutageError,
    QuotaExhaustedError,
    QuotaReading,
    ThrottledError,
    check_client,
    check_credentials,
)
from icims.sandbox.search import run_search
from icims.sandbox.store import INVALID_REQUEST, SandboxHTTPError, StoredFile
from icims.values import is_empty

if TYPE_CHECKING:
    from icims.sandbox.core import Sandbox

Handler = Callable[["Sandbox", Request], Awaitable[Response]]
MAX_JSON_BYTES = 1_048_576
OUTAGE_PAGE = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"


def error_response(exc: SandboxHTTPError) -> JSONResponse:
    body: dict[str, Any] = {"errors": [{"errorMessage": exc.message, "errorCode": exc.code}]}
    headers = {"X-Error": f"{exc.code}:{exc.message}"} if exc.code is not None else {}
    return JSONResponse(body, status_code=exc.status, headers=headers)


def guarded(sandbox: Sandbox, handler: Handler, *, api: bool = True) -> Callable[[Request], Awaitable[Response]]:
    """Faults, then (for API calls) credentials, customer and quota; iCIMS's headers on every answer."""

    async def endpoint(request: Request) -> Response:
        reading: QuotaReading | None = None
        caller: str | None = None
        try:
            await sandbox.fault_injector.apply(request.method, request.url.path, api=api)
            if api:
                caller = check_credentials(request.headers.get("authorization"), sandbox.options, sandbox.tokens)
                if request.path_params.get("cid") != sandbox.customer_id:
                    raise SandboxHTTPError(404, RESOURCE_ACCESS_DENIED, "You do not have access to this customer.")
                reading = sandbox.quota.consume()
            response = await handler(sandbox, request)
        except OutageError:
            response = Response(OUTAGE_PAGE, status_code=503, media_type="text/html")
        except QuotaExhaustedError as exc:
            reading, response = exc.reading, error_response(exc)
        except ThrottledError as exc:
            response = error_response(exc)
            response.headers["Retry-After"] = str(exc.retry_after)
        except SandboxHTTPError as exc:
            response = error_response(exc)
        if api:
            response.headers.update((reading or sandbox.quota.reading()).headers())
        response.headers["x-transaction"] = str(uuid.uuid4())
        sandbox.record_request(request.method, request.url.path, response.status_code, caller)
        return response

    return endpoint


def build_app(sandbox: Sandbox) -> Starlette:
    profile = "/customers/{cid:int}/{ptype}/{pid:int}"
    routes = [
        Route("/oauth/token", guarded(sandbox, token, api=False), methods=["POST"]),
        Route("/customers/{cid:int}", guarded(sandbox, customer), methods=["GET"]),
        Route("/customers/{cid:int}/search/{ptype}", guarded(sandbox, search), methods=["GET", "POST"]),
        Route(profile, guarded(sandbox, profile_endpoint), methods=["GET", "PATCH"]),
        Route(profile + "/fields/{field}/binary", guarded(sandbox, binary), methods=["GET", "PATCH", "DELETE"]),
        Route(profile + "/fields/{field}", guarded(sandbox, add_entry), methods=["POST"]),
        Route(profile + "/fields/{field}/{entry:int}", guarded(sandbox, get_entry), methods=["GET"]),
        *admin_routes(sandbox),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: _http_error})


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = RESOURCE_NOT_FOUND if status == 404 else INVALID_REQUEST
    message = f"{request.method} {request.url.path} is not supported."
    return error_response(SandboxHTTPError(status, code, message))


async def token(sandbox: Sandbox, request: Request) -> Response:
    """Like login.icims.com: client credentials + audience; Auth0-style ``error`` bodies when refused."""
    form = await _form_or_json(request)
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    if not form.get("audience"):
        return _oauth_error(403, "access_denied", "An audience is required (e.g. https://api.icims.com/v1/).")
    if form["audience"] != sandbox.options.audience:
        return _oauth_error(403, "access_denied", f"Service not enabled within domain: {form['audience']}")
    if not check_client(form.get("client_id", ""), form.get("client_secret", ""), sandbox.options):
        return _oauth_error(401, "access_denied", "Unauthorized")
    lifetime = sandbox.options.token_expires_in
    access = sandbox.tokens.issue(lifetime)
    return JSONResponse({"access_token": access, "token_type": "Bearer", "expires_in": lifetime})


async def customer(sandbox: Sandbox, request: Request) -> Response:
    base = _api_base(sandbox, request)
    info = sandbox.store.customer
    body = {
        "platformUrl": base,
        "id": sandbox.customer_id,
        "customerType": info.get("customerType", "test"),
        "name": info.get("name", f"Customer {sandbox.customer_id}"),
        "buildVersion": "sandbox",
    }
    links = ",".join(f'<{base}/customers/{sandbox.customer_id}/{t}>;rel="{t}"' for t in sandbox.store.profiles)
    return JSONResponse(body, headers={"Link": links, "X-Customer-Type": str(body["customerType"])})


async def search(sandbox: Sandbox, request: Request) -> Response:
    ptype = request.path_params["ptype"]
    if request.method == "GET":
        raw = request.query_params.get("searchJson")
        if raw is None:
            raise SandboxHTTPError(400, INVALID_REQUEST, "At least one filter must be specified")
        body = _loads(raw.encode())
    else:
        body = await _json_body(request)
    ids = run_search(sandbox.store, ptype, body, sandbox.options.hidden_fields)
    base = f"{_api_base(sandbox, request)}/customers/{sandbox.customer_id}/{ptype}"
    return JSONResponse({"searchResults": [{"id": i, "self": f"{base}/{i}"} for i in ids]})


async def profile_endpoint(sandbox: Sandbox, request: Request) -> Response:
    ptype, pid = request.path_params["ptype"], request.path_params["pid"]
    sandbox.store.check_access(ptype, pid, sandbox.options.denied)
    if request.method == "PATCH":
        values = await _json_body(request)
        result = sandbox.patch_profile(ptype, pid, values, source="api", path=request.url.path)
        response = Response(status_code=204, headers={"Location": str(request.url.replace(query=""))})
        for warning in result.warnings:
            response.headers.append("X-Warning", warning)
        return response
    fields_param = request.query_params.get("fields")
    fields = [f.strip() for f in fields_param.split(",") if f.strip()] if fields_param is not None else None
    with sandbox.store.lock:
        body = render_profile(sandbox, ptype, pid, sandbox.store.get(ptype, pid), fields, _api_base(sandbox, request))
    return JSONResponse(body)


def render_profile(
    sandbox: Sandbox, ptype: str, pid: int, body: dict[str, Any], fields: list[str] | None, base: str
) -> dict[str, Any]:
    """As iCIMS answers: empty and hidden fields absent, ``fields=`` honoured, ``links`` always present."""
    hidden = set(sandbox.options.hidden_fields.get(ptype, [])) | {"links"}
    shown = {k: _prune(v) for k, v in body.items() if k not in hidden and not is_empty(v)}
    if fields is not None:
        shown = {k: shown[k] for k in fields if k in shown}
    elif sandbox.options.extra_keys:
        shown["sandboxextra"] = {"note": "iCIMS may add keys at any time; clients must ignore unknown ones."}
    url = f"{base}/customers/{sandbox.customer_id}"
    links = [{"rel": "self", "title": "The current profile being viewed.", "url": f"{url}/{ptype}/{pid}"}]
    if ptype.endswith("workflows"):
        for key, title, target in (
            ("baseprofile", "The base profile of this workflow.", "jobs"),
            ("associatedprofile", "The associated profile of this workflow.", "people"),
        ):
            link = body.get(key)
            if isinstance(link, dict) and link.get("id") is not None:
                links.append({"rel": "self", "title": title, "url": f"{url}/{target}/{link['id']}"})
    shown["links"] = links
    return shown


async def binary(sandbox: Sandbox, request: Request) -> Response:
    ptype, pid, field = request.path_params["ptype"], request.path_params["pid"], request.path_params["field"]
    sandbox.store.check_access(ptype, pid, sandbox.options.denied)
    if request.method == "GET":
        stored = sandbox.store.get_file(ptype, pid, field)
        disposition = f'attachment; filename="{stored.filename}"'
        return Response(stored.content, media_type=stored.content_type, headers={"Content-Disposition": disposition})
    if request.method == "DELETE":
        sandbox.store.delete_file(ptype, pid, field)
        sandbox.record_write("api", "DELETE", request.url.path, ptype, pid, "file-delete", (field,))
        return Response(status_code=204)
    stored = await _uploaded_file(request, sandbox.options.max_upload_bytes)
    sandbox.store.put_file(ptype, pid, field, stored, str(request.url.replace(query="")))
    detail = {"filename": stored.filename, "contentType": stored.content_type, "bytes": len(stored.content)}
    sandbox.record_write("api", "PATCH", request.url.path, ptype, pid, "file", (field,), detail)
    return Response(status_code=204)


async def add_entry(sandbox: Sandbox, request: Request) -> Response:
    ptype, pid, field = request.path_params["ptype"], request.path_params["pid"], request.path_params["field"]
    sandbox.store.check_access(ptype, pid, sandbox.options.denied)
    row = await _json_body(request)
    entry = sandbox.store.add_entry(ptype, pid, field, row, sandbox.options.required_fields.get(ptype, []))
    detail = {"entry": entry, "row": row}
    sandbox.record_write("api", "POST", request.url.path, ptype, pid, "entry", (field,), detail)
    location = f"{str(request.url.replace(query='')).rstrip('/')}/{entry}"
    return Response(status_code=201, headers={"Location": location})


async def get_entry(sandbox: Sandbox, request: Request) -> Response:
    ptype, pid = request.path_params["ptype"], request.path_params["pid"]
    sandbox.store.check_access(ptype, pid, sandbox.options.denied)
    with sandbox.store.lock:
        row = sandbox.store.entry(ptype, pid, request.path_params["field"], request.path_params["entry"])
        return JSONResponse(_prune(row))


async def _uploaded_file(request: Request, max_bytes: int) -> StoredFile:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise SandboxHTTPError(400, INVALID_REQUEST, "A file must be sent as multipart/form-data.")
    async with request.form(max_files=1) as form:
        uploads = [v for v in form.values() if isinstance(v, UploadFile)]
        if len(uploads) != 1:
            raise SandboxHTTPError(400, INVALID_REQUEST, "Send exactly one form part carrying the file.")
        upload = uploads[0]
        content = await upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise SandboxHTTPError(413, INVALID_REQUEST, f"The file exceeds {max_bytes} bytes.")
    filename = upload.filename or "file"
    content_type = upload.content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return StoredFile(filename, content_type, content)


async def _json_body(request: Request) -> Any:
    body = await request.body()
    if len(body) > MAX_JSON_BYTES:
        raise SandboxHTTPError(413, INVALID_REQUEST, "The request body is too large.")
    return _loads(body)


def _loads(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise SandboxHTTPError(400, INVALID_REQUEST, "An unknown parsing error occurred") from None


async def _form_or_json(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").startswith("application/json"):
        data = await _json_body(request)
        return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}
    async with request.form(max_files=0) as form:
        return {k: v for k, v in form.items() if isinstance(v, str)}


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _api_base(sandbox: Sandbox, request: Request) -> str:
    return str(request.base_url).rstrip("/") if request.base_url else sandbox.base_url


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if not is_empty(v)}
    if isinstance(value, list):
        return [_prune(v) for v in value if not is_empty(v)]
    return value
