"""The product as separate processes, deployed as production would run it, for the scale-out and shutdown tests.

A `Deployment` is one configuration shared by every process: the demo configuration file, with what a real
deployment sets in the environment (``OFFER_ASSISTANT_*``): a real iCIMS URL (here the test's sandbox, outside
sandbox mode, so nothing is generated or started for us), OAuth and webhook secrets, the link and Chainlit
secrets, and the database URL. Each process gets its own data directory (letters, Chainlit files and the
Qdrant local-mode folder, which one process locks) with a copy of a benefits index built once per test run.

    deployment = Deployment.create(tmp_path, database_url, icims)
    with running_processes() as started:
        app = deployment.app(started)              # offer-assistant serve --no-workers, on a free port
        worker = deployment.worker(started)        # offer-assistant worker
"""

from __future__ import annotations

import atexit
import functools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app import wiring
from app.config import DEMO_CONFIG, Settings, load_settings
from tests.e2e.conftest import free_port
from tests.support.icims_sandbox import SandboxHandle

CLI = Path(sys.executable).with_name("offer-assistant")
START_TIMEOUT = 240.0  # importing Chainlit and the models on a loaded 2-core machine


def wait_for(
    condition: Callable[[], object], what: str, timeout: float = 120.0, detail: Callable[[], str] = str
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{detail()}")
        time.sleep(0.2)


@functools.cache
def prebuilt_index() -> Path:
    """A data directory holding the demo benefits index, built once per test run (copied for each process)."""
    folder = Path(tempfile.mkdtemp(prefix="offer-index-"))
    atexit.register(shutil.rmtree, folder, True)
    wiring.benefits_index(load_settings(DEMO_CONFIG, data_dir=folder)).build()
    return folder


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str | None = None
    public_url: str | None = None  # what browsers see (and send as Origin); differs from `url` behind a proxy

    def output(self, tail: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-tail:]

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.running:
            self.popen.send_signal(sig)

    def wait(self, timeout: float) -> int:
        return self.popen.wait(timeout=timeout)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not end in time."""
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=30)


@contextmanager
def running_processes() -> Iterator[list[Process]]:
    """Every process appended to the list is stopped when the block ends."""
    started: list[Process] = []
    try:
        yield started
    finally:
        for process in started:
            process.stop()


@dataclass
class Deployment:
    folder: Path
    env: dict[str, str]
    settings: Settings  # what every process reads (the test signs webhooks with its secrets)
    count: int = field(default=0)

    @classmethod
    def create(
        cls, folder: Path, database_url: str, icims: SandboxHandle, *, timeout_seconds: float = 10.0
    ) -> Deployment:
        values = {
            "DATABASE_URL": database_url,
            "ICIMS__BASE_URL": icims.base_url,
            "ICIMS__TOKEN_URL": f"{icims.base_url}/oauth/token",
            "ICIMS__CUSTOMER_ID": str(icims.customer_id),
            "ICIMS__CLIENT_ID": icims.client_id,
            "ICIMS__CLIENT_SECRET": icims.client_secret,
            "ICIMS__TIMEOUT_SECONDS": str(timeout_seconds),
            "ICIMS__WEBHOOK__HMAC_SECRET": secrets.token_urlsafe(32),
            "SECURITY__LINK_SIGNING_KEY": secrets.token_urlsafe(48),
            "SECURITY__CHAINLIT_AUTH_SECRET": secrets.token_urlsafe(48),
        }
        env = {f"OFFER_ASSISTANT_{k}": v for k, v in values.items()}
        previous = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            settings = load_settings(DEMO_CONFIG, data_dir=folder / "test-side")
        finally:
            for key, value in previous.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        assert not settings.sandbox_mode
        return cls(folder, env, settings)

    def _environment(self, data_dir: Path, public_url: str | None) -> dict[str, str]:
        env = {**os.environ, **self.env, "OFFER_ASSISTANT_DATA_DIR": str(data_dir)}
        env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1", OPENBLAS_NUM_THREADS="1")
        if public_url is not None:
            env["OFFER_ASSISTANT_PUBLIC_URL"] = public_url
        env.pop("CHAINLIT_APP_ROOT", None)
        return env

    def _start(self, started: list[Process], name: str, args: list[str], public_url: str | None) -> Process:
        self.count += 1
        data_dir = self.folder / f"{name}-{self.count}"
        if not data_dir.exists():
            shutil.copytree(prebuilt_index(), data_dir)
        log = self.folder / f"{name}-{self.count}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(
                [str(CLI), "--config", str(DEMO_CONFIG), *args],
                cwd=data_dir,
                env=self._environment(data_dir, public_url),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        process = Process(f"{name}-{self.count}", popen, log, public_url)
        started.append(process)
        return process

    def app(
        self, started: list[Process], *, workers: bool = False, port: int | None = None, behind_proxy: bool = False
    ) -> Process:
        """`offer-assistant serve` (without its worker thread unless `workers`), up and answering `/health`.

        `behind_proxy`: as behind a TLS-terminating balancer, `public_url` names another address than the one the
        process listens on (`serve --port`)."""
        listen = port or free_port()
        url = f"http://127.0.0.1:{listen}"
        args = ["serve"] if workers else ["serve", "--no-workers"]
        public_url = url
        if behind_proxy:
            args += ["--port", str(listen)]
            public_url = f"http://127.0.0.1:{free_port()}"
        process = self._start(started, "app", args, public_url)
        process.url = url
        process.public_url = public_url
        wait_for(
            lambda: _answers(process),
            f"{process.name} to serve on {url}",
            START_TIMEOUT,
            lambda: process.output(),
        )
        return process

    def worker(self, started: list[Process], interval: float = 0.5) -> Process:
        """`offer-assistant worker`, polling every `interval` seconds."""
        return self._start(started, "worker", ["worker", "--interval", str(interval)], None)


def _answers(process: Process) -> bool:
    if not process.running:
        raise AssertionError(f"{process.name} exited early:\n{process.output()}")
    try:
        ok = httpx.get(f"{process.url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
    return ok and "Chat app:" in process.output(100_000)


def review_queue(app: Process, username: str, password: str, timeout: float = 60.0) -> str:
    """Sign in to the review mode of `app` as a staff user, exactly as the browser does (Chainlit's password login,
    then its Socket.IO session with the Origin of the page the browser was sent to), and return the text of the
    queue the review mode shows."""
    base_url = app.url or ""
    origin = app.public_url or base_url
    import socketio  # python-socketio: Chainlit's own dependency; its sync client uses websocket-client

    with httpx.Client(base_url=base_url, timeout=30) as http:
        login = http.post("/login", data={"username": username, "password": password})
        assert login.status_code == 200, login.text
        cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    received: list[str] = []
    arrived = threading.Event()
    client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})

    @client.on("new_message")  # type: ignore[untyped-decorator]
    def on_message(message: dict[str, object]) -> None:
        received.append(str(message.get("output") or message.get("content") or ""))
        if "Review queue" in received[-1]:
            arrived.set()

    auth = {"sessionId": str(uuid.uuid4()), "clientType": "webapp", "userEnv": "{}"}
    client.connect(
        base_url, socketio_path="/ws/socket.io", headers={"Cookie": cookie}, auth=auth, transports=["websocket"]
    )
    try:
        client.emit("connection_successful")
        assert arrived.wait(timeout), f"no review queue from {base_url}; got: {received}"
    finally:
        client.disconnect()
    return next(text for text in received if "Review queue" in text)
