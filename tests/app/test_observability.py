"""Structured logs: every line is JSON with the request id, and no secret or PII ever reaches the output."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.config import Settings, load_settings
from app.links import Audience, issue_token
from app.observability import (
    REDACTED,
    JsonFormatter,
    RedactionFilter,
    Redactor,
    RequestIdMiddleware,
    SecretValues,
    configure_logging,
    current_request_id,
    request_id_scope,
)

log = logging.getLogger("tests.observability")


def _secret() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture
def secret_settings(tmp_path: Path) -> Settings:
    """Settings holding a distinct random value in every secret slot (and a database password)."""
    base = load_settings(data_dir=tmp_path / "data")
    icims = base.icims.model_copy(
        update={
            "client_secret": SecretStr(_secret()),
            "password": SecretStr(_secret()),
            "webhook": base.icims.webhook.model_copy(
                update={"password": SecretStr(_secret()), "hmac_secret": SecretStr(_secret())}
            ),
        }
    )
    security = base.security.model_copy(
        update={"link_signing_key": SecretStr(_secret()), "chainlit_auth_secret": SecretStr(_secret())}
    )
    return base.model_copy(
        update={
            "icims": icims,
            "security": security,
            "llm": base.llm.model_copy(update={"api_key": SecretStr(_secret())}),
            "vector_store": base.vector_store.model_copy(update={"api_key": SecretStr(_secret())}),
            "database_url": f"postgresql+psycopg://app:{_secret()}@db.internal:5432/offers",
        }
    )


def _all_secrets(settings: Settings) -> list[str]:
    values = [
        settings.icims.client_secret,
        settings.icims.password,
        settings.icims.webhook.password,
        settings.icims.webhook.hmac_secret,
        settings.security.link_signing_key,
        settings.security.chainlit_auth_secret,
        settings.llm.api_key,
        settings.vector_store.api_key,
    ]
    found = [v.get_secret_value() for v in values if v is not None]
    assert settings.database_url is not None
    found.append(settings.database_url.split(":")[2].split("@")[0])
    return found


@pytest.fixture
def captured(secret_settings: Settings) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    configure_logging(secret_settings, "INFO", stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = before[0]
        root.setLevel(before[1])


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


PII = {
    "email": "maria.gonzalez+offers@example.org",
    "us phone": "(415) 555-0134",
    "intl phone": "+44 20 7946 0958",
    "dashed phone": "415-555-0199",
    "ssn": "123-45-6789",
    "ni number": "QQ 12 34 56 C",
}


def test_no_configured_secret_reaches_the_output_in_any_position(
    secret_settings: Settings, captured: io.StringIO
) -> None:
    values = _all_secrets(secret_settings)
    for value in values:
        log.info("configured with %s", value)  # as an argument
        log.warning("literal in the message " + value)
        log.info("as an extra", extra={"detail": {"nested": [value]}})
        log.info("url encoded: %s", f"https://x.test/cb?k={value.replace('_', '/')}")
    log.error("a database error on %s", secret_settings.database_url)
    output = captured.getvalue()
    lines = _lines(captured)
    assert len(lines) == 4 * len(values) + 1, "every record is written (redaction never drops a line)"
    for value in values:
        assert value not in output
    assert output.count(REDACTED) >= 3 * len(values)
    assert "db.internal:5432/offers" in output, "the rest of the URL is kept"


def test_secrets_and_pii_inside_an_exception_traceback_are_redacted(
    secret_settings: Settings, captured: io.StringIO
) -> None:
    secret = secret_settings.icims.client_secret
    assert secret is not None

    def connect() -> None:
        raise ConnectionError(f"token request with client_secret {secret.get_secret_value()} for {PII['email']}")

    try:
        try:
            connect()
        except ConnectionError as inner:
            raise RuntimeError(f"iCIMS unreachable; candidate phone {PII['us phone']}") from inner
    except RuntimeError:
        log.exception("delivery failed")
    (line,) = _lines(captured)
    assert "Traceback" in line["exception"]
    assert "ConnectionError" in line["exception"]
    assert "RuntimeError" in line["exception"]
    output = captured.getvalue()
    assert secret.get_secret_value() not in output
    assert PII["email"] not in output
    assert PII["us phone"] not in output


def test_stack_info_is_redacted(secret_settings: Settings, captured: io.StringIO) -> None:
    key = secret_settings.security.link_signing_key
    assert key is not None
    log.info("signing with %s", key.get_secret_value(), stack_info=True)
    (line,) = _lines(captured)
    assert "stack" in line
    assert key.get_secret_value() not in captured.getvalue()


@pytest.mark.parametrize(("kind", "value"), list(PII.items()), ids=list(PII))
def test_pii_is_removed(captured: io.StringIO, kind: str, value: str) -> None:
    log.info("candidate %s: %s", kind, value)
    log.info("in a dict %s", {"contact": value})
    assert value not in captured.getvalue()
    assert len(_lines(captured)) == 2


def test_credentials_tokens_and_jwts_are_removed(secret_settings: Settings, captured: io.StringIO) -> None:
    unrelated = _secret()  # not a configured secret: only its shape gives it away
    basic = base64.b64encode(f"integration:{unrelated}".encode()).decode()
    jwt_token = issue_token(_secret() * 2, audience=Audience.PORTAL, workflow_id=3401, ttl_seconds=60)
    log.info("headers %s", {"Authorization": f"Bearer {unrelated}"})
    log.info("Authorization: Basic %s", basic)
    log.info('GET /auth/portal?token=%s&lang=es HTTP/1.1" 401', unrelated)
    log.info("opened %s", f"https://offers.example/careers?widget={jwt_token}")
    log.info("form password=%s&user=ada", unrelated)
    log.info('body {"client_secret": "%s", "grant_type": "client_credentials"}', unrelated)
    log.info("connecting to postgresql://app:%s@db:5432/x", unrelated)
    output = captured.getvalue()
    assert unrelated not in output
    assert basic not in output
    assert jwt_token not in output
    assert jwt_token.split(".")[1] not in output
    assert "lang=es" in output
    assert "grant_type" in output
    assert "user=ada" in output


def test_sandbox_secrets_generated_after_configuration_are_redacted(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "sandbox-data")
    assert settings.sandbox_mode
    stream = io.StringIO()
    logger = _isolated_logger(settings, stream)
    generated = settings.secret("security.link_signing_key")  # written to data_dir only now
    logger.info("the key is %s", generated)
    assert generated not in stream.getvalue()
    assert REDACTED in stream.getvalue()


def test_ordinary_figures_and_ids_are_kept(captured: io.StringIO) -> None:
    text = (
        "offer 12 for workflow 3401 (job 2301): base 185,000 USD, 10% bonus, start 2027-03-08, "
        "4,000 units, peer 127.0.0.1:8081, 192.168.100.200, took 12.5 ms, version 1.20.1"
    )
    log.info(text)
    (line,) = _lines(captured)
    assert line["message"] == text


def test_every_line_is_json_with_level_logger_and_request_id(captured: io.StringIO) -> None:
    with request_id_scope("job-42") as request_id:
        logging.getLogger("offer_engine.delivery").warning("sync job %s failed", 7)
    logging.getLogger("uvicorn.access").info("outside any request")
    first, second = _lines(captured)
    assert first["level"] == "WARNING"
    assert first["logger"] == "offer_engine.delivery"
    assert first["message"] == "sync job 7 failed"
    assert first["request_id"] == request_id == "job-42"
    assert second["request_id"] is None
    assert second["logger"] == "uvicorn.access", "foreign loggers reach our handler"


def test_configure_logging_twice_keeps_one_handler(secret_settings: Settings, captured: io.StringIO) -> None:
    configure_logging(secret_settings, "INFO", stream=captured)
    log.info("once")
    assert len(_lines(captured)) == 1


def test_a_plain_handler_without_the_filter_would_leak(secret_settings: Settings) -> None:
    """The control: the capture above really sees what is logged, so the assertions can fail."""
    stream = io.StringIO()
    logger = logging.getLogger("tests.observability.control")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        secret = secret_settings.icims.client_secret
        assert secret is not None
        logger.info("secret %s mail %s", secret.get_secret_value(), PII["email"])
    finally:
        logger.removeHandler(handler)
    assert secret.get_secret_value() in stream.getvalue()
    assert PII["email"] in stream.getvalue()


def _isolated_logger(settings: Settings, stream: io.StringIO) -> logging.Logger:
    from app.observability import settings_secrets

    redactor = Redactor(settings_secrets(settings))
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactionFilter(redactor))
    handler.setFormatter(JsonFormatter(redactor))
    logger = logging.getLogger(f"tests.observability.{secrets.token_hex(4)}")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_secret_values_ignore_trivially_short_values() -> None:
    redactor = Redactor(SecretValues(["ab", "long-enough-value"]))
    assert redactor("ab and long-enough-value") == f"ab and {REDACTED}"


# -- request ids ------------------------------------------------------------------------------------------------


async def _echo(request: Request) -> JSONResponse:
    await asyncio.sleep(0.01)  # let concurrent requests interleave
    log.info("handling %s", request.url.path)
    return JSONResponse({"request_id": current_request_id()})


async def _fails(request: Request) -> JSONResponse:
    try:
        raise ValueError(f"bad password={request.query_params['pw']}")
    except ValueError:
        log.exception("route failed")
    return JSONResponse({"ok": False}, status_code=500)


@pytest.fixture
def asgi_app() -> RequestIdMiddleware:
    return RequestIdMiddleware(Starlette(routes=[Route("/echo", _echo), Route("/fails", _fails)]))


async def test_the_request_id_is_taken_from_the_caller_echoed_and_on_every_line(
    asgi_app: RequestIdMiddleware, captured: io.StringIO
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi_app), base_url="http://app") as client:
        response = await client.get("/echo?token=abcdefgh123", headers={"X-Request-ID": "lb-7f3a.1"})
    assert response.headers["x-request-id"] == "lb-7f3a.1"
    assert response.json() == {"request_id": "lb-7f3a.1"}
    lines = _lines(captured)
    assert [line["logger"] for line in lines] == ["tests.observability", "app.access"]
    assert {line["request_id"] for line in lines} == {"lb-7f3a.1"}
    access = lines[1]
    assert access["http"]["status"] == 200
    assert access["http"]["path"] == "/echo"
    assert "abcdefgh123" not in captured.getvalue()


@pytest.mark.parametrize("offered", [None, "", "has spaces", "x" * 200, "new\nline"])
async def test_a_missing_or_malformed_request_id_is_replaced(
    asgi_app: RequestIdMiddleware, offered: str | None
) -> None:
    headers = {"X-Request-ID": offered} if offered is not None and "\n" not in offered else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi_app), base_url="http://app") as client:
        response = await client.get("/echo", headers=headers)
    made = response.headers["x-request-id"]
    assert made != offered
    assert len(made) == 32
    assert response.json() == {"request_id": made}


async def test_concurrent_requests_keep_their_own_ids(asgi_app: RequestIdMiddleware, captured: io.StringIO) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi_app), base_url="http://app") as client:
        responses = await asyncio.gather(
            *(client.get("/echo", headers={"X-Request-ID": f"req-{n}"}) for n in range(20))
        )
    assert [r.json()["request_id"] for r in responses] == [f"req-{n}" for n in range(20)]
    handled = [line for line in _lines(captured) if line["logger"] == "tests.observability"]
    assert sorted(line["request_id"] for line in handled) == sorted(f"req-{n}" for n in range(20))


async def test_an_exception_inside_a_request_is_logged_redacted_with_its_request_id(
    asgi_app: RequestIdMiddleware, captured: io.StringIO
) -> None:
    secret = _secret()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi_app), base_url="http://app") as client:
        response = await client.get("/fails", params={"pw": secret})
    failure = next(line for line in _lines(captured) if line["message"] == "route failed")
    assert failure["request_id"] == response.headers["x-request-id"]
    assert "ValueError" in failure["exception"]
    assert secret not in captured.getvalue()
    assert current_request_id() is None, "the id does not leak out of the request"
