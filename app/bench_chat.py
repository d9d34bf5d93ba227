"""Chat benchmark: `ask` latency server-side, and concurrent chat sessions over Socket.IO against `serve`.

    report = run_chat_bench(settings)                      # spawns `serve` on a scratch data dir
    report = run_chat_bench(settings, url="http://...")    # against a running `serve` of the same configuration

1. Socket.IO: N candidate sessions sign in with portal links, connect as Chainlit's browser client does, wait
   for the greeting, then each sends `rounds` questions with a think time between them. Two latencies per
   reply, as the candidate sees them: from sending the message to its first streamed token, and to the
   server's task_end for it (the whole answer streamed and sent with its sources). All clients run on one
   asyncio loop in this process, so the load generator takes one core at most and never spawns per-client
   processes that would compete with `serve`. Against a loopback server each session signs in from its own
   loopback address (127.0.0.2, 127.0.0.3, ...), as 50 candidates come from 50 addresses; the per-address
   rate limit of the link route would otherwise refuse all but the first ten. A reply that says the chat's
   rate limit was hit counts as an error, not as a fast answer.
2. `ask`: the answer pipeline in this process on the embedded engine (grounding from the database, hybrid
   retrieval, engine, guard, audit write), warmed up first; p50/p95 over `ask_samples` calls.

Prints figures and asserts nothing (speed is not a test).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from app import wiring
from app.chat import provisioning
from app.chat.identity import CandidateIdentity
from app.chat.notices import render_template
from app.chat.provisioning import IcimsGateway, OfferRef
from app.chat.serving import limit_blas_threads
from app.config import DEMO_CONFIG, PROJECT_ROOT, Settings, load_settings
from app.pipeline import AnswerPipeline
from icims.errors import ICIMSError
from offer_engine.db import session_scope
from offer_engine.errors import DomainError
from offer_engine.offers import get_offer

QUESTIONS = (
    "What is my base salary?",
    "When do I start?",
    "How does my equity vest?",
    "Which health plans can I choose?",
    "How long is parental leave?",
    "When do I need to decide by?",
    "How do I reach my recruiter?",
    "Could you do 10% more on the base salary?",
)
_LAUNCH = (
    "from app.cli import cli\nfrom app.cli import chat\n"
    "if not any(c.name == 'serve' for c in cli.registered_commands):\n    chat.register(cli)\ncli()\n"
)
Say = Callable[[str], None]
# The rate-limit reply's fixed opening words, in each language the chat answers in.
_RATE_LIMITED = tuple(render_template("rate_limited", lang, seconds="\0").split("\0")[0] for lang in ("en", "es"))


class ChatBenchReport(BaseModel):
    sessions: int
    rounds: int
    think_seconds: tuple[float, float]
    replies: int
    first_token_p50_ms: float | None
    first_token_p95_ms: float | None
    socket_p50_ms: float | None
    socket_p95_ms: float | None
    socket_max_ms: float | None
    errors: int
    error_examples: list[str]
    ask_samples: int
    ask_p50_ms: float
    ask_p95_ms: float


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def run_chat_bench(
    settings: Settings,
    *,
    url: str | None = None,
    sessions: int = 50,
    rounds: int = 3,
    think_seconds: tuple[float, float] = (3.0, 10.0),
    ask_samples: int = 200,
    say: Say = print,
) -> ChatBenchReport:
    config = type(settings).toml_file or DEMO_CONFIG
    with tempfile.TemporaryDirectory(prefix="chat-bench-") as scratch:
        if url is None:
            with _spawned_serve(config, Path(scratch), say) as (base, served):
                socket_part = _socket_bench(served, base, sessions, rounds, think_seconds, say)
            ask_settings = served  # the index and offers `serve` made; its folder is free again once it stopped
        else:
            socket_part = _socket_bench(settings, url.rstrip("/"), sessions, rounds, think_seconds, say)
            ask_settings = load_settings(config, data_dir=Path(scratch) / "ask")
        ask_p50, ask_p95 = _ask_bench(ask_settings, ask_samples, say)
    report = ChatBenchReport(
        sessions=sessions, rounds=rounds, think_seconds=think_seconds, ask_samples=ask_samples,
        ask_p50_ms=ask_p50, ask_p95_ms=ask_p95, **socket_part,
    )  # fmt: skip
    _print(report, say)
    return report


def _print(report: ChatBenchReport, say: Say) -> None:
    say(f"ask (server-side, embedded engine, {report.ask_samples} calls): "
        f"p50 {report.ask_p50_ms:.1f} ms, p95 {report.ask_p95_ms:.1f} ms  (target p95 < 100 ms)")  # fmt: skip
    if report.socket_p95_ms is None:
        say(f"chat over Socket.IO: no replies measured; {report.errors} errors")
    else:
        think = f"{report.think_seconds[0]:.0f}-{report.think_seconds[1]:.0f} s"
        say(f"chat over Socket.IO ({report.sessions} concurrent sessions x {report.rounds} messages, think time "
            f"{think}): {report.replies} replies, errors {report.errors} (target p95 < 500 ms, no errors)")  # fmt: skip
        say(f"  complete answer: p50 {_ms(report.socket_p50_ms)}, p95 {_ms(report.socket_p95_ms)}, "
            f"max {_ms(report.socket_max_ms)}")  # fmt: skip
        say(f"  first streamed token: p50 {_ms(report.first_token_p50_ms)}, p95 {_ms(report.first_token_p95_ms)}")
    for example in report.error_examples:
        say(f"  error: {example}")


def _ms(value: float | None) -> str:
    return f"{value:.0f} ms" if value is not None else "n/a"


# -- serve in a child process --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _spawned_serve(config: Path, scratch: Path, say: Say) -> Iterator[tuple[str, Settings]]:
    port, sandbox_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{port}"
    overrides = {
        "OFFER_ASSISTANT_DATA_DIR": str(scratch / "data"),
        "OFFER_ASSISTANT_PUBLIC_URL": base,
        "OFFER_ASSISTANT_SANDBOX__PORT": str(sandbox_port),
    }
    say(f"starting serve on {base} with a scratch data dir (indexing the benefits documents first)...")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", _LAUNCH, "--config", str(config), "serve", "--no-workers"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **overrides, "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(process.stdout or []), daemon=True).start()
    try:
        _wait_for(base, process, output)
        yield base, load_settings(config, data_dir=scratch / "data", public_url=base)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for(base: str, process: subprocess.Popen[str], output: list[str], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("serve exited:\n" + "".join(output))
        try:
            if any("Chat app:" in line for line in output) and httpx.get(f"{base}/health", timeout=2).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"serve did not come up on {base}:\n" + "".join(output))


# -- Socket.IO sessions --------------------------------------------------------------------------------------------


def _candidates(settings: Settings) -> list[OfferRef]:
    db = provisioning.database(settings)
    with IcimsGateway(settings) as gateway:
        workflows = provisioning.offer_ready_workflows(settings, gateway)
    found = [provisioning.find_offer(db, settings, workflow) for workflow in workflows]
    ready = [offer for offer in found if offer is not None and offer.ready]
    if not ready:
        raise RuntimeError("no candidate has an offer the chat can open: run `serve` once to draft them")
    return ready


class _Timings(BaseModel):
    """What the sessions measured, in milliseconds, and what went wrong."""

    complete: list[float] = []
    first_token: list[float] = []
    errors: list[str] = []


def _socket_bench(
    settings: Settings, base: str, sessions: int, rounds: int, think: tuple[float, float], say: Say
) -> dict[str, Any]:
    offers = _candidates(settings)
    db = provisioning.database(settings)
    links = [provisioning.candidate_link(settings, db, offers[n % len(offers)]) for n in range(sessions)]
    links = [link.replace(settings.public_url.rstrip("/"), base, 1) for link in links]
    say(f"{sessions} chat sessions over Socket.IO against {base} ...")
    timings = _Timings()
    asyncio.run(_sessions(base, links, rounds, think, timings))
    complete, first = timings.complete, timings.first_token
    return {
        "replies": len(complete),
        "first_token_p50_ms": percentile(first, 50) if first else None,
        "first_token_p95_ms": percentile(first, 95) if first else None,
        "socket_p50_ms": percentile(complete, 50) if complete else None,
        "socket_p95_ms": percentile(complete, 95) if complete else None,
        "socket_max_ms": max(complete) if complete else None,
        "errors": len(timings.errors),
        "error_examples": timings.errors[:5],
    }


async def _sessions(base: str, links: list[str], rounds: int, think: tuple[float, float], timings: _Timings) -> None:
    sources = _source_addresses(base, len(links))
    cookies = await asyncio.gather(
        *(_sign_in(link, source) for link, source in zip(links, sources, strict=True)), return_exceptions=True
    )
    rng = random.Random(6)
    tasks = []
    for n, cookie in enumerate(cookies):
        if isinstance(cookie, BaseException):
            timings.errors.append(f"sign-in: {cookie!r}")
            continue
        questions = [QUESTIONS[(n + k) % len(QUESTIONS)] for k in range(rounds)]
        pauses = [rng.uniform(*think) for _ in range(rounds)]
        tasks.append(_one_session(base, cookie, questions, pauses, timings))
    await asyncio.gather(*tasks)


def _source_addresses(base: str, count: int) -> list[str | None]:
    """One loopback source address per session when the server is on loopback (any 127/8 address reaches it)."""
    host = urlsplit(base).hostname or ""
    if not host.startswith("127."):
        return [None] * count
    return [f"127.0.{2 + n // 250}.{2 + n % 250}" for n in range(count)]


async def _sign_in(link: str, source: str | None) -> str:
    transport = httpx.AsyncHTTPTransport(local_address=source) if source else None
    async with httpx.AsyncClient(timeout=30, transport=transport) as http:
        response = await http.get(link, follow_redirects=False)
    if response.status_code != 303 or "access_token" not in response.cookies:
        raise RuntimeError(f"portal sign-in answered {response.status_code}")
    return str(response.cookies["access_token"])


class _Session:
    """One browser-like Socket.IO session: when the current question got its first token and its end."""

    def __init__(self) -> None:
        self.greeted, self.finished = asyncio.Event(), asyncio.Event()
        self.replies: list[str] = []
        self.first_token_at: float | None = None

    def on_message(self, step: dict[str, Any]) -> None:
        if step.get("type") == "assistant_message":
            self.replies.append(str(step.get("output", "")))
            self.greeted.set()
            self._first_token()

    def _first_token(self) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()

    def on_stream_start(self, step: dict[str, Any]) -> None:
        if step.get("type") == "assistant_message":
            self._first_token()

    def ask(self) -> tuple[int, float]:
        self.finished.clear()
        self.first_token_at = None
        return len(self.replies), time.perf_counter()


async def _one_session(base: str, cookie: str, questions: list[str], pauses: list[float], timings: _Timings) -> None:
    import socketio  # python-socketio, installed with Chainlit

    client = socketio.AsyncClient(reconnection=False)
    state = _Session()
    client.on("new_message", state.on_message)
    client.on("stream_start", state.on_stream_start)
    client.on("task_end", lambda _: state.finished.set())
    thread_id = str(uuid.uuid4())
    auth = {"sessionId": str(uuid.uuid4()), "clientType": "webapp", "userEnv": "{}", "threadId": None}
    try:
        await client.connect(
            base, headers={"Cookie": f"access_token={cookie}"}, auth=auth, socketio_path="/ws/socket.io",
            transports=["websocket"], wait_timeout=30,
        )  # fmt: skip
        await client.emit("connection_successful")
        await asyncio.wait_for(state.greeted.wait(), 30)
        for question, pause in zip(questions, pauses, strict=True):
            await asyncio.sleep(pause)
            before, started = state.ask()
            await client.emit("client_message", _payload(question, thread_id))
            await asyncio.wait_for(state.finished.wait(), 60)
            _record(state, before, started, question, timings)
    except Exception as exc:  # a refused connection, a time-out: counted, reported, the others go on
        timings.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await client.disconnect()


def _record(state: _Session, before: int, started: float, question: str, timings: _Timings) -> None:
    ended = time.perf_counter()
    answers = state.replies[before:]
    if not answers:
        timings.errors.append(f"no reply to {question!r}")
    elif any(answer.startswith(_RATE_LIMITED) for answer in answers):
        timings.errors.append(f"rate limited: {question!r}")
    else:
        timings.complete.append((ended - started) * 1000)
        timings.first_token.append(((state.first_token_at or ended) - started) * 1000)


def _payload(question: str, thread_id: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    message = {"id": str(uuid.uuid4()), "threadId": thread_id, "name": "User", "type": "user_message",
               "output": question, "createdAt": now}  # fmt: skip
    return {"message": message, "fileReferences": None}


# -- ask, server-side -------------------------------------------------------------------------------------------


def _ask_bench(settings: Settings, samples: int, say: Say) -> tuple[float, float]:
    say(f"ask: {samples} calls through the pipeline in this process ...")
    limit_blas_threads()  # as `serve` does
    db = provisioning.database(settings)
    index = wiring.benefits_index(settings)
    with IcimsGateway(settings) as gateway:
        if not index.status().exists:
            index.build()
        ready = [offer for offer in _drafted(db, settings, gateway) if offer.ready]
        pipeline = AnswerPipeline.from_settings(settings, db, index)
        identities = [_identity(settings, db, offer) for offer in ready]
        calls = [(identities[n % len(identities)], QUESTIONS[n % len(QUESTIONS)]) for n in range(samples)]
        for identity, question in calls[:20]:  # warm-up: model, index, templates, connections
            pipeline.answer(identity, question)
        timings = []
        for identity, question in calls:
            started = time.perf_counter()
            pipeline.answer(identity, question)
            timings.append((time.perf_counter() - started) * 1000)
    return percentile(timings, 50), percentile(timings, 95)


def _drafted(db: Any, settings: Settings, gateway: IcimsGateway) -> list[OfferRef]:
    drafted = []
    for workflow in provisioning.offer_ready_workflows(settings, gateway):
        try:
            drafted.append(provisioning.ensure_offer(db, settings, gateway, workflow, date.today()))
        except (DomainError, ICIMSError):
            continue
    return drafted


def _identity(settings: Settings, db: Any, offer: OfferRef) -> CandidateIdentity:
    with session_scope(db) as session:
        person_id = get_offer(session, offer.offer_id).person_id
    return CandidateIdentity(
        customer_id=settings.icims.customer_id, workflow_id=offer.workflow_id, offer_id=offer.offer_id,
        person_id=person_id, channel="cli",
    )  # fmt: skip
