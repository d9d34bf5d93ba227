"""`offer-assistant sandbox` as a real process: a token, then iCIMS-shaped JSON, as curl would see it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.config import Settings
from app.sandbox_settings import sandbox_options
from tests.support.icims_sandbox import DEMO_FIXTURE

CLI = Path(sys.executable).parent / "offer-assistant"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    port = free_port()
    env = {**os.environ, "OFFER_ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    process = subprocess.Popen(
        [str(CLI), "sandbox", "--fixture", str(DEMO_FIXTURE), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/customers/0", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"sandbox did not start: {process.stdout.read() if process.stdout else ''}")
                time.sleep(0.1)
        yield base, tmp_path / "data", env
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
        print(output)


def test_cli_serves_a_token_and_a_workflow(served: tuple[str, Path, dict[str, str]]) -> None:
    base, data_dir, env = served
    secret = json.loads((data_dir / "sandbox-secrets.json").read_text())["icims.client_secret"]
    form = {
        "grant_type": "client_credentials",
        "client_id": "corvid-offer-assistant",
        "client_secret": secret,
        "audience": "https://api.icims.com/v1/",
    }
    token = httpx.post(f"{base}/oauth/token", data=form).json()
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 86400
    workflow = httpx.get(
        f"{base}/customers/6120/applicantworkflows/3401", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert workflow.status_code == 200
    body = workflow.json()
    assert body["associatedprofile"]["id"] == 1201
    assert body["links"][0]["rel"] == "self"
    assert int(workflow.headers["x-ratelimit-remaining"]) == 9999

    moved = subprocess.run(
        [str(CLI), "sandbox-move", "3402", "C20002", "--url", base], env=env, capture_output=True, text=True, timeout=60
    )
    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["newStatus"] == "C20002"


def test_sandbox_options_take_credentials_from_settings(settings: Settings) -> None:
    options = sandbox_options(settings)
    assert options.client_id == settings.icims.client_id
    assert options.client_secret is not None
    assert options.client_secret.get_secret_value() == settings.secret("icims.client_secret")
    assert options.events.url is None

    webhook = settings.icims.webhook.model_copy(update={"hmac_secret": SecretStr("hmac-key-from-settings-0123")})
    configured = settings.model_copy(update={"icims": settings.icims.model_copy(update={"webhook": webhook})})
    with_events = sandbox_options(configured, event_url="http://127.0.0.1:9/hook")
    assert with_events.events.auth == "hmac"
    assert with_events.events.hmac_secret is not None
    assert with_events.events.hmac_secret.get_secret_value() == "hmac-key-from-settings-0123"
