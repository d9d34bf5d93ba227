"""`offer-assistant sandbox`: run the local iCIMS sandbox; `offer-assistant sandbox-move`: move a candidate.

Credentials come from the settings: the OAuth client is ``icims.client_id`` with ``settings.secret(
"icims.client_secret")`` (generated once in sandbox mode), Basic is ``icims.username`` with
``icims.password``; events are signed per ``icims.webhook``.
"""

from __future__ import annotations

import base64
import json
import shlex
from pathlib import Path
from typing import Annotated

import httpx
import typer

from app.cli.context import settings_of
from app.config import ConfigError, Settings
from app.sandbox_settings import sandbox_options
from icims.sandbox import FixtureError, Sandbox, serve_forever


def register(cli: typer.Typer) -> None:
    cli.command("sandbox")(sandbox)
    cli.command("sandbox-move")(sandbox_move)


def sandbox(
    ctx: typer.Context,
    fixture: Annotated[Path | None, typer.Option("--fixture", help="Fixture JSON (default sandbox.fixture).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default sandbox.port).")] = None,
    host: Annotated[str | None, typer.Option("--host", help="Interface (default sandbox.host).")] = None,
    persist: Annotated[
        bool | None, typer.Option("--persist/--no-persist", help="Write changes back to the fixture.")
    ] = None,
    event_url: Annotated[
        str | None, typer.Option("--event-url", help="POST status-change events here (default sandbox.event_url).")
    ] = None,
    quota: Annotated[int, typer.Option("--quota", help="Requests per UTC day before 429.")] = 10000,
    token_lifetime: Annotated[int, typer.Option("--token-lifetime", help="OAuth expires_in, seconds.")] = 86400,
) -> None:
    """Serve the iCIMS REST API over a fixture file (the local iCIMS sandbox)."""
    settings = settings_of(ctx)
    fixture = fixture or settings.sandbox.fixture
    host = host or settings.sandbox.host
    port = settings.sandbox.port if port is None else port
    try:
        options = sandbox_options(
            settings,
            persist=settings.sandbox.persist if persist is None else persist,
            event_url=event_url or settings.sandbox.event_url,
            daily_quota=quota,
            token_expires_in=token_lifetime,
        )
        server = Sandbox(fixture, options)
    except (ConfigError, FixtureError, ValueError) as exc:
        typer.echo(f"cannot start the sandbox: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(_instructions(settings, server, fixture, f"http://{host}:{port}"))
    serve_forever(server, host, port)


def sandbox_move(
    ctx: typer.Context,
    workflow_id: Annotated[int, typer.Argument(help="Applicant workflow id.")],
    status: Annotated[str, typer.Argument(help="Status id, e.g. the tenant's offer-ready status.")],
    url: Annotated[str | None, typer.Option("--url", help="Sandbox URL (default from sandbox.host/port).")] = None,
) -> None:
    """Move a candidate's workflow to a status in a running sandbox (as a recruiter would), firing the event."""
    settings = settings_of(ctx)
    base = (url or f"http://{settings.sandbox.host}:{settings.sandbox.port}").rstrip("/")
    try:
        headers = {"Authorization": _authorization(settings, base)}
        response = httpx.post(
            f"{base}/_sandbox/move", json={"workflowId": workflow_id, "status": status}, headers=headers, timeout=30
        )
    except (httpx.HTTPError, ConfigError) as exc:
        typer.echo(f"cannot reach the sandbox at {base}: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(response.json(), indent=2))
    if not response.is_success:
        raise typer.Exit(1)


def _authorization(settings: Settings, base: str) -> str:
    conn = settings.icims
    if conn.auth == "basic" and conn.username:
        pair = f"{conn.username}:{settings.secret('icims.password')}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    form = {
        "grant_type": "client_credentials",
        "client_id": conn.client_id or "",
        "client_secret": settings.secret("icims.client_secret"),
        "audience": conn.audience,
    }
    response = httpx.post(f"{base}/oauth/token", data=form, timeout=30)
    response.raise_for_status()
    return f"Bearer {response.json()['access_token']}"


def _instructions(settings: Settings, server: Sandbox, fixture: Path, base: str) -> str:
    conn = settings.icims
    cid = server.customer_id
    lines = [f"iCIMS sandbox for customer {cid} ({server.store.customer.get('name', '?')}) from {fixture}"]
    if conn.customer_id != cid:
        lines.append(f"  note: settings say icims.customer_id = {conn.customer_id}; the fixture is customer {cid}")
    lines.append(f"  API:   {base}/customers/{cid}/…   token: POST {base}/oauth/token")
    workflow = next(iter(server.store.profiles.get("applicantworkflows", {})), None)
    if conn.client_id:
        lines += _oauth_recipe(settings, base, cid, workflow)
    if conn.username:
        lines.append(f"  Basic auth: user {conn.username!r} with the configured icims.password")
    target = server.options.events
    lines.append(f"  events: {target.url} ({target.auth})" if target.url else "  events: off (--event-url URL)")
    lines.append(f"  admin:  {base}/_sandbox/state, /_sandbox/faults, /_sandbox/move, /_sandbox/writes")
    return "\n".join(lines)


def _oauth_recipe(settings: Settings, base: str, cid: int, workflow: int | None) -> list[str]:
    conn = settings.icims
    generated = conn.client_secret is None and settings.sandbox_mode
    secrets_file = settings.data_dir / "sandbox-secrets.json"
    where = f"generated into {secrets_file}" if generated else "the configured icims.client_secret"
    read_secret = (
        f"SECRET=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"icims.client_secret\"])' "
        f"{shlex.quote(str(secrets_file))})"
        if generated
        else "SECRET=$OFFER_ASSISTANT_ICIMS__CLIENT_SECRET"
    )
    lines = [
        f"  OAuth client_id {conn.client_id!r}; client_secret: {where}",
        "  try:",
        f"    {read_secret}",
        f"    TOKEN=$(curl -s {base}/oauth/token -d grant_type=client_credentials"
        f" -d client_id={shlex.quote(conn.client_id or '')}"
        f' --data-urlencode "client_secret=$SECRET" --data-urlencode audience={shlex.quote(conn.audience)}'
        " | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
    ]
    if workflow is not None:
        lines.append(
            f'    curl -s -H "Authorization: Bearer $TOKEN" {base}/customers/{cid}/applicantworkflows/{workflow}'
        )
        lines.append(
            f'    curl -s -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" '
            f'-d \'{{"workflowId": {workflow}, "status": "<status id>"}}\' {base}/_sandbox/move'
        )
    return lines
