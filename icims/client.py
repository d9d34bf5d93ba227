"""ICIMSClient: a typed, synchronous client for the iCIMS REST API (and the local sandbox, which speaks it too).

Every call has a timeout; 429, 5xx and timeouts are retried with exponential back-off and jitter up to
``ICIMSConnection.max_retries`` times; a 401 makes an OAuth client fetch a fresh token once and retry.
Requests that are not idempotent (adding a collection row) are retried only when the request surely was
not processed (429, 503, connection refused) so a note is never written twice.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from icims.auth import DEFAULT_TOKEN_URL, BasicCredentials, Credentials, OAuthCredentials
from icims.config import ICIMSConnection
from icims.errors import InvalidResponse, RateLimited, Unavailable, error_from_response
from icims.models import ApplicantWorkflow, Company, Job, Person
from icims.ratelimit import Backoff, RateLimitStatus, retry_after_seconds
from icims.search import SEARCH_PAGE_CAP, SearchFilter, SearchGroup

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Sleep = Callable[[float], None]

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_RETRY_ALWAYS = frozenset({429})
_RETRY_IDEMPOTENT = frozenset({500, 502, 503, 504})
_RETRY_UNPROCESSED = frozenset({429, 503})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class FileContent:
    """A downloaded file field."""

    content: bytes
    content_type: str
    filename: str | None = None


class _SearchHit(BaseModel):
    id: int


class _SearchResults(BaseModel):
    searchResults: list[_SearchHit]  # noqa: N815 - iCIMS's own key


class ICIMSClient:
    """One tenant's API: ``ICIMSClient(connection, base_url="https://api.icims.com", secret=...)``.

    ``secret`` is the OAuth client secret (``auth = "oauth"``) or the Basic password (``auth = "basic"``);
    callers take it from ``settings.secret(...)``. ``sleep``, ``clock`` and ``rng`` are injectable so tests
    can count back-off waits without waiting.
    """

    def __init__(
        self,
        connection: ICIMSConnection,
        *,
        base_url: str,
        secret: str,
        token_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.connection = connection
        self.base_url = base_url.rstrip("/")
        self.customer_url = f"{self.base_url}/customers/{connection.customer_id}"
        self._sleep = sleep
        self._clock = clock
        self._backoff = Backoff(connection.backoff_base_seconds, connection.backoff_max_seconds, rng or random.Random())
        self._http = httpx.Client(
            timeout=httpx.Timeout(connection.timeout_seconds),
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "icims-offer-assistant"},
        )
        self._credentials = self._make_credentials(secret, token_url)
        self._rate_lock = threading.Lock()
        self.rate_limit: RateLimitStatus | None = None

    # -- lifecycle -------------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ICIMSClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def tokens_fetched(self) -> int:
        """How many OAuth tokens this client has asked for (0 with Basic auth)."""
        return self._credentials.tokens_fetched if isinstance(self._credentials, OAuthCredentials) else 0

    # -- profiles --------------------------------------------------------------------------------------

    def get_customer(self) -> dict[str, Any]:
        return self._json(self._request("GET", self.customer_url))

    def get_profile(self, profile_type: str, profile_id: int, fields: Sequence[str] | None = None) -> dict[str, Any]:
        """A profile's JSON; with ``fields`` only those keys (plus ``links``). Empty or hidden fields are absent."""
        params = {"fields": ",".join(_names(fields))} if fields else None
        return self._json(self._request("GET", self._profile_url(profile_type, profile_id), params=params))

    def get_person(self, person_id: int, fields: Sequence[str] | None = None) -> Person:
        return _parse(Person, self.get_profile("people", person_id, fields), f"person {person_id}")

    def get_job(self, job_id: int, fields: Sequence[str] | None = None) -> Job:
        return _parse(Job, self.get_profile("jobs", job_id, fields), f"job {job_id}")

    def get_company(self, company_id: int, fields: Sequence[str] | None = None) -> Company:
        return _parse(Company, self.get_profile("companies", company_id, fields), f"company {company_id}")

    def get_workflow(self, workflow_id: int, fields: Sequence[str] | None = None) -> ApplicantWorkflow:
        data = self.get_profile("applicantworkflows", workflow_id, fields)
        return _parse(ApplicantWorkflow, data, f"applicant workflow {workflow_id}")

    def update_profile(self, profile_type: str, profile_id: int, values: Mapping[str, Any]) -> None:
        """PATCH fields (204). ``None`` or ``""`` clears a field. Field names must be lowercase."""
        body = dict(zip(_names(values.keys()), values.values(), strict=True))
        response = self._request("PATCH", self._profile_url(profile_type, profile_id), json=body)
        _log_warnings(response)

    def set_workflow_status(self, workflow_id: int, status_id: str) -> None:
        """Move an applicant workflow to ``status_id`` (a tenant-specific ``C…``/``D…`` list node id)."""
        if not status_id.strip():
            raise ValueError("status_id must not be empty")
        self.update_profile("applicantworkflows", workflow_id, {"status": {"id": status_id.strip()}})

    # -- collections and notes -------------------------------------------------------------------------

    def add_collection_entry(self, profile_type: str, profile_id: int, collection: str, row: Mapping[str, Any]) -> int:
        """POST a row to a collection field; returns the new entry id (from ``Location``)."""
        (name,) = _names([collection])
        url = f"{self._profile_url(profile_type, profile_id)}/fields/{name}"
        response = self._request("POST", url, json=dict(row), idempotent=False)
        location = response.headers.get("location", "")
        entry = location.rstrip("/").rsplit("/", 1)[-1]
        if not entry.isdigit():
            raise InvalidResponse(f"adding a {name} row answered without an entry id (Location: {location!r})")
        return int(entry)

    def add_note(self, profile_type: str, profile_id: int, text: str) -> int:
        """Add a note as a row of the ``notes_collection`` collection field (iCIMS has no notes endpoint)."""
        if not text.strip():
            raise ValueError("a note must have text")
        row = {self.connection.notes_field: text}
        return self.add_collection_entry(profile_type, profile_id, self.connection.notes_collection, row)

    # -- files -----------------------------------------------------------------------------------------

    def upload_file(
        self,
        profile_type: str,
        profile_id: int,
        field: str,
        *,
        filename: str,
        content: bytes,
        content_type: str = "application/pdf",
    ) -> None:
        """Replace a file field's file: multipart PATCH to ``…/fields/{field}/binary`` (204)."""
        files = {"file": (filename, content, content_type)}
        self._request("PATCH", self._binary_url(profile_type, profile_id, field), files=files)

    def download_file(self, profile_type: str, profile_id: int, field: str) -> FileContent:
        response = self._request("GET", self._binary_url(profile_type, profile_id, field))
        content_type = response.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
        if content_type == "application/json":  # iCIMS answers "no file" with a JSON error body
            raise error_from_response(404, response.content, response.headers)
        return FileContent(response.content, content_type, _filename(response.headers.get("content-disposition")))

    # -- search ----------------------------------------------------------------------------------------

    def search_page(self, profile_type: str, query: SearchGroup, *, staleness: int | None = None) -> list[int]:
        """One page (at most 1,000 ids, ascending) of a search."""
        url = f"{self.customer_url}/search/{_names([profile_type])[0]}"
        params = {"staleness": str(staleness)} if staleness is not None else None
        response = self._request("POST", url, json=query.to_json(), params=params)
        return [hit.id for hit in _parse(_SearchResults, self._json(response), "search results").searchResults]

    def search_ids(
        self,
        profile_type: str,
        query: SearchGroup | Sequence[SearchFilter],
        *,
        staleness: int | None = None,
    ) -> Iterator[int]:
        """Every matching id, ascending, paging past the 1,000 cap with ``<type>.id > last``."""
        group = query if isinstance(query, SearchGroup) else SearchGroup(filters=tuple(query))
        page = self.search_page(profile_type, group, staleness=staleness)
        last: int | None = None
        while True:
            for hit in page:
                if last is not None and hit <= last:
                    raise InvalidResponse(f"search ids are not ascending ({hit} after {last})")
                last = hit
                yield hit
            if len(page) < SEARCH_PAGE_CAP or last is None:
                return
            page = self.search_page(profile_type, group.after_id(profile_type, last), staleness=staleness)

    # -- transport -------------------------------------------------------------------------------------

    def _make_credentials(self, secret: str, token_url: str | None) -> Credentials:
        conn = self.connection
        if conn.auth == "basic":
            return BasicCredentials(conn.username or "", secret)
        if token_url is None:
            token_url = conn.token_url or (f"{self.base_url}/oauth/token" if conn.is_sandbox else DEFAULT_TOKEN_URL)
        return OAuthCredentials(
            token_url=token_url,
            client_id=conn.client_id or "",
            client_secret=secret,
            audience=conn.audience,
            send=lambda request: self._send(lambda: request, idempotent=True, counts_quota=False),
            clock=self._clock,
        )

    def _profile_url(self, profile_type: str, profile_id: int) -> str:
        if isinstance(profile_id, bool) or not isinstance(profile_id, int) or profile_id <= 0:
            raise ValueError(f"profile id must be a positive integer, got {profile_id!r}")
        return f"{self.customer_url}/{_names([profile_type])[0]}/{profile_id}"

    def _binary_url(self, profile_type: str, profile_id: int, field: str) -> str:
        return f"{self._profile_url(profile_type, profile_id)}/fields/{_names([field])[0]}/binary"

    def _request(self, method: str, url: str, *, idempotent: bool = True, **kwargs: Any) -> httpx.Response:
        refreshed = False
        while True:
            response = self._send(lambda: self._authorised(method, url, **kwargs), idempotent=idempotent)
            if response.status_code == 401 and self._credentials.refreshable and not refreshed:
                log.info("iCIMS refused the token for %s %s; fetching a new one", method, url)
                self._credentials.invalidate()
                refreshed = True
                continue
            if response.is_success:
                return response
            raise error_from_response(
                response.status_code, response.content, response.headers, reset_seconds=self._reset_hint(response)
            )

    def _authorised(self, method: str, url: str, **kwargs: Any) -> httpx.Request:
        headers = {"Authorization": self._credentials.authorization()}
        return self._http.build_request(method, url, headers=headers, **kwargs)

    def _send(
        self, build: Callable[[], httpx.Request], *, idempotent: bool, counts_quota: bool = True
    ) -> httpx.Response:
        """Send with bounded retries; returns the last response, raises Unavailable if nothing came back."""
        attempt = 0
        while True:
            if counts_quota:
                self._respect_quota()
            request = build()
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                if attempt >= self.connection.max_retries or not (idempotent or isinstance(exc, _NOT_SENT)):
                    raise Unavailable(f"{request.method} {request.url}: {type(exc).__name__}: {exc}") from exc
                self._pause(self._backoff.delay(attempt), f"{type(exc).__name__} on {request.method} {request.url}")
                attempt += 1
                continue
            self._observe(response)
            wait = self._retry_wait(response, attempt, idempotent)
            if wait is None:
                return response
            self._pause(wait, f"HTTP {response.status_code} on {request.method} {request.url}")
            attempt += 1

    def _retry_wait(self, response: httpx.Response, attempt: int, idempotent: bool) -> float | None:
        status = response.status_code
        retryable = _RETRY_ALWAYS | _RETRY_IDEMPOTENT if idempotent else _RETRY_UNPROCESSED
        if status not in retryable or attempt >= self.connection.max_retries:
            return None
        backoff = self._backoff.delay(attempt)
        if status != 429:
            return backoff
        told = self._reset_hint(response)
        wait = max(backoff, told or 0.0)
        if wait > self.connection.longest_rate_limit_wait:
            return None  # the quota is gone for longer than we are willing to wait: RateLimited
        return wait

    def _reset_hint(self, response: httpx.Response) -> float | None:
        after = retry_after_seconds(response.headers)
        if after is not None:
            return after
        status = RateLimitStatus.from_headers(response.headers, self._clock())
        if status is not None and status.exhausted():
            return status.reset_seconds
        return None

    def _observe(self, response: httpx.Response) -> None:
        status = RateLimitStatus.from_headers(response.headers, self._clock())
        if status is not None:
            with self._rate_lock:
                self.rate_limit = status

    def _respect_quota(self) -> None:
        """When the last response said no requests remain: wait for the reset if short, else RateLimited."""
        with self._rate_lock:
            status = self.rate_limit
        if status is None or not status.exhausted():
            return
        left = status.seconds_until_reset(self._clock())
        if left is None or left <= 0:
            return
        if left > self.connection.longest_rate_limit_wait:
            raise RateLimited(f"iCIMS request quota used up; it resets in {left:.0f} s", reset_seconds=left)
        self._pause(left, "request quota used up")
        with self._rate_lock:
            self.rate_limit = None

    def _pause(self, seconds: float, why: str) -> None:
        log.warning("iCIMS: %s; retrying in %.2f s", why, seconds)
        self._sleep(seconds)

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            raise InvalidResponse(f"expected JSON from {response.request.url}, got {response.content[:80]!r}") from None
        if not isinstance(data, dict):
            raise InvalidResponse(f"expected a JSON object from {response.request.url}, got {type(data).__name__}")
        return data


def _names(names: Sequence[str] | Any) -> list[str]:
    result = list(names)
    bad = [n for n in result if not isinstance(n, str) or not _NAME.fullmatch(n)]
    if bad:
        raise ValueError(f"iCIMS names are lowercase letters, digits and '_': {bad!r}")
    return result


def _parse(model: type[M], data: dict[str, Any], what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidResponse(f"{what}: field {where!r} has an unexpected shape ({first['msg']})") from None


def _filename(disposition: str | None) -> str | None:
    if not disposition:
        return None
    match = re.search(r'filename="?([^";]+)"?', disposition)
    return match.group(1) if match else None


def _log_warnings(response: httpx.Response) -> None:
    for warning in response.headers.get_list("x-warning"):
        log.warning("iCIMS warning on %s %s: %s", response.request.method, response.request.url, warning)
