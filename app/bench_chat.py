"""Chat benchmark: `ask` latency server-side, and concurrent chat sessions over Socket.IO against `serve`.

    report = run_chat_bench(settings)                      # spawns `serve` on a scratch data dir
    report = run_chat_bench(settings, url="http://...")    # against a running `serve` of the same configuration

1. Socket.IO: N candidate sessions sign in with portal links, connect as Chainlit's browser client does, wait
   for the greeting, then each sends `rounds` questions with a think time between them. A reply's latency is
   from sending the message to the server's task_end for it (the whole answer streamed and sent).
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

import httpx
from pydantic import BaseModel

from app import wiring
from app.chat import provisioning
from app.chat.identity import CandidateIdentity
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


class ChatBenchReport(BaseModel):
    sessions: int
    rounds: int
    think_seconds: tuple[float, float]
    replies: int
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
        say(f"chat over Socket.IO ({report.sessions} concurrent sessions x {report.rounds} messages, think time "
            f"{report.think_seconds[0]:.0f}-{report.think_seconds[1]:.0f} s): {report.replies} replies, "
            f"p50 {report.socket_p50_ms:.0f} ms, p95 {report.socket_p95_ms:.0f} ms, max {report.socket_max_ms:.0f} ms, "
            f"errors {report.errors}  (target p95 < 500 ms, no errors)")  # fmt: skip
    for example in report.error_examples:
        say(f"  error: {example}")


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


def _socket_bench(
    settings: Settings, base: str, sessions: int, rounds: int, think: tuple[float, float], say: Say
) -> dict[str, Any]:
    offers = _candidates(settings)
    db = provisioning.database(settings)
    links = [provisioning.candidate_link(settings, db, offers[n % len(offers)]) for n in range(sessions)]
    links = [link.replace(settings.public_url.rstrip("/"), base, 1) for link in links]
    say(f"{sessions} chat sessions over Socket.IO against {base} ...")
    latencies: list[float] = []
    errors: list[str] = []
    asyncio.run(_sessions(base, links, rounds, think, latencies, errors))
    return {
        "replies": len(latencies),
        "socket_p50_ms": percentile(latencies, 50) if latencies else None,
        "socket_p95_ms": percentile(latencies, 95) if latencies else None,
        "socket_max_ms": max(latencies) if latencies else None,
        "errors": len(errors),
        "error_examples": errors[:5],
    }


async def _sessions(
    base: str, links: list[str], rounds: int, think: tuple[float, float], latencies: list[float], errors: list[str]
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        cookies = await asyncio.gather(*(_sign_in(http, link) for link in links), return_exceptions=True)
    rng = random.Random(6)
    tasks = []
    for n, cookie in enumerate(cookies):
        if isinstance(cookie, BaseException):
            errors.append(f"sign-in: {cookie!r}")
            continue
        questions = [QUESTIONS[(n + k) % len(QUESTIONS)] for k in range(rounds)]
        pauses = [rng.uniform(*think) for _ in range(rounds)]
        tasks.append(_one_session(base, cookie, questions, pauses, latencies, errors))
    await asyncio.gather(*tasks)


async def _sign_in(http: httpx.AsyncClient, link: str) -> str:
    response = await http.get(link, follow_redirects=False)
    if response.status_code != 303 or "access_token" not in response.cookies:
        raise RuntimeError(f"portal sign-in answered {response.status_code}")
    return str(response.cookies["access_token"])


async def _one_session(
    base: str, cookie: str, questions: list[str], pauses: list[float], latencies: list[float], errors: list[str]
) -> None:
    import socketio  # python-socketio, installed with Chainlit

    client = socketio.AsyncClient(reconnection=False)
    greeted, finished = asyncio.Event(), asyncio.Event()
    replies: list[str] = []

    @client.on("new_message")  # type: ignore[untyped-decorator]
    async def _message(step: dict[str, Any]) -> None:
        if step.get("type") == "assistant_message":
            replies.append(str(step.get("output", "")))
            greeted.set()

    @client.on("task_end")  # type: ignore[untyped-decorator]
    async def _task_end(_: Any) -> None:
        finished.set()

    thread_id = str(uuid.uuid4())
    auth = {"sessionId": str(uuid.uuid4()), "clientType": "webapp", "userEnv": "{}", "threadId": None}
    try:
        await client.connect(
            base, headers={"Cookie": f"access_token={cookie}"}, auth=auth, socketio_path="/ws/socket.io",
            transports=["websocket"], wait_timeout=30,
        )  # fmt: skip
        await client.emit("connection_successful")
        await asyncio.wait_for(greeted.wait(), 30)
        for question, pause in zip(questions, pauses, strict=True):
            await asyncio.sleep(pause)
            before = len(replies)
            finished.clear()
            started = time.perf_counter()
            await client.emit("client_message", _payload(question, thread_id))
            await asyncio.wait_for(finished.wait(), 60)
            if len(replies) == before:
                errors.append(f"no reply to {question!r}")
                continue
            latencies.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # a refused connection, a time-out: counted, reported, the others go on
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await client.disconnect()


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
