"""Chat benchmark: `ask` latency server-side, and concurrent candidate sessions over Socket.IO against `serve`.

    report = run_chat_bench(settings)                      # spawns `serve` on a scratch data dir
    report = run_chat_bench(settings, url="http://...")    # against a running `serve` of the same configuration

1. Socket.IO: N candidate sessions, each a different candidate, sign in with portal links, connect as
   Chainlit's browser client does, wait for the greeting, then keep chatting for `duration_seconds`: a think
   time (uniform, 3-10 s by default) before each message, drawn from a mix of offer facts, benefits, process
   and negotiation questions (a negotiation's confirm button is never pressed). Two latencies per reply, as the
   candidate sees them: from sending the message to its first streamed token, and to the server's task_end for
   it (the whole answer streamed and sent with its sources). Every failure counts as an error: a sign-in or
   connection refused, an error or rate-limit reply, no reply, an answer timeout, a server disconnect.
   In sandbox mode the spawned `serve` gets a synthetic fixture in the scratch folder (the configured fixture
   plus N cloned offer-ready candidates, `icims.sandbox.synthetic`), so no two sessions share an offer (and its
   per-offer chat rate limit). All clients run on one asyncio loop in this process, so the load generator takes
   one core at most and never spawns per-client processes that would compete with `serve`. Against a loopback
   server each session signs in from its own loopback address (127.0.0.2, 127.0.0.3, ...), as 50 candidates
   come from 50 addresses; the per-address rate limit of the link route would otherwise refuse all but ten.
   The machine's load average is sampled during the run: other work on the machine slows every figure.
   The load generator itself is `app.bench_chat_sessions`.
2. `ask`: the answer pipeline in this process on the embedded engine (grounding from the database, hybrid
   retrieval, engine, guard, audit write), warmed up first; p50/p95 over `ask_samples` calls.

Prints figures and asserts nothing (speed is not a test).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel

import retrieval
from app import wiring
from app.bench_chat_sessions import QUESTIONS, Latency, LoadDuringRun, SessionPlan, run_sessions
from app.chat import provisioning
from app.chat.identity import CandidateIdentity
from app.chat.provisioning import IcimsGateway, OfferRef
from app.config import DEMO_CONFIG, PROJECT_ROOT, Settings, load_settings
from app.pipeline import AnswerPipeline
from icims.errors import ICIMSError
from icims.sandbox import add_offer_ready_candidates
from offer_engine.analytics import percentile
from offer_engine.db import session_scope
from offer_engine.errors import DomainError
from offer_engine.intake import read_terms
from offer_engine.offers import get_offer

_LAUNCH = (
    "from app.cli import cli\nfrom app.cli import chat\n"
    "if not any(c.name == 'serve' for c in cli.registered_commands):\n    chat.register(cli)\ncli()\n"
)
Say = Callable[[str], None]


class ChatBenchReport(BaseModel):
    sessions: int
    candidates: int  # distinct candidates among the sessions
    duration_seconds: float
    think_seconds: tuple[float, float]
    messages: int  # sent
    messages_by_kind: dict[str, int]
    replies: int  # complete answers measured
    first_token: Latency
    complete: Latency
    errors: int
    errors_by_kind: dict[str, int]
    error_examples: list[str]
    load: LoadDuringRun
    ask_samples: int
    ask_p50_ms: float
    ask_p95_ms: float


def run_chat_bench(
    settings: Settings,
    *,
    url: str | None = None,
    sessions: int = 50,
    duration_seconds: float = 60.0,
    think_seconds: tuple[float, float] = (3.0, 10.0),
    ask_samples: int = 200,
    say: Say = print,
) -> ChatBenchReport:
    config = type(settings).toml_file or DEMO_CONFIG
    plan = SessionPlan(sessions=sessions, duration=duration_seconds, think=think_seconds)
    with tempfile.TemporaryDirectory(prefix="chat-bench-") as scratch:
        if url is None:
            fixture = synthetic_fixture(settings, sessions, Path(scratch) / "icims-fixture.json", say)
            with _spawned_serve(config, Path(scratch), fixture, say) as (base, served):
                socket_part = run_sessions(served, base, plan, say)
            ask_settings = served  # the index and offers `serve` made; its folder is free again once it stopped
        else:
            socket_part = run_sessions(settings, url.rstrip("/"), plan, say)
            ask_settings = load_settings(config, data_dir=Path(scratch) / "ask")
        ask_p50, ask_p95 = _ask_bench(ask_settings, ask_samples, say)
    report = ChatBenchReport(
        sessions=sessions, duration_seconds=duration_seconds, think_seconds=think_seconds,
        ask_samples=ask_samples, ask_p50_ms=ask_p50, ask_p95_ms=ask_p95, **socket_part,
    )  # fmt: skip
    _print(report, say)
    return report


def synthetic_fixture(settings: Settings, candidates: int, path: Path, say: Say) -> Path | None:
    """The configured sandbox fixture plus `candidates` cloned offer-ready candidates, written to `path` (None
    outside sandbox mode: a real iCIMS has the candidates it has)."""
    if not settings.sandbox_mode:
        return None
    mapping = settings.tenant
    data = json.loads(settings.sandbox.fixture.read_text(encoding="utf-8"))
    made = add_offer_ready_candidates(
        data, mapping, candidates, today=date.today(), usable=lambda bundle: not read_terms(bundle, mapping).missing
    )
    path.write_text(json.dumps(made.fixture), encoding="utf-8")
    say(f"synthetic iCIMS fixture: {settings.sandbox.fixture.name} plus {candidates} offer-ready candidates")
    return path


def _print(report: ChatBenchReport, say: Say) -> None:
    say(f"ask (server-side, embedded engine, {report.ask_samples} calls): "
        f"p50 {report.ask_p50_ms:.1f} ms, p95 {report.ask_p95_ms:.1f} ms  (target p95 < 100 ms)")  # fmt: skip
    think = f"{report.think_seconds[0]:.0f}-{report.think_seconds[1]:.0f} s"
    kinds = ", ".join(f"{kind} {n}" for kind, n in report.messages_by_kind.items())
    say(f"chat over Socket.IO: {report.sessions} concurrent sessions ({report.candidates} distinct candidates) for "
        f"{report.duration_seconds:.0f} s, think time {think}: {report.messages} messages ({kinds}), "
        f"{report.replies} answers, {report.errors} errors  (target p95 < 500 ms, 0 errors)")  # fmt: skip
    say(f"  complete answer: {latency_text(report.complete)}")
    say(f"  first streamed token: {latency_text(report.first_token)}")
    say(f"  load average (1 min) during the run: {load_text(report.load)}")
    if report.errors_by_kind:
        say("  errors: " + ", ".join(f"{kind} {n}" for kind, n in report.errors_by_kind.items()))
    for example in report.error_examples:
        say(f"  error: {example}")


def latency_text(latency: Latency) -> str:
    if latency.p95_ms is None:
        return "nothing measured"
    return f"p50 {_ms(latency.p50_ms)}, p95 {_ms(latency.p95_ms)}, max {_ms(latency.max_ms)}"


def load_text(load: LoadDuringRun) -> str:
    if load.mean is None:
        return "not sampled"
    return f"{load.min}-{load.max}, mean {load.mean} (/proc/loadavg at the end: {load.at_end})"


def _ms(value: float | None) -> str:
    return f"{value:.0f} ms" if value is not None else "n/a"


# -- serve in a child process --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _spawned_serve(config: Path, scratch: Path, fixture: Path | None, say: Say) -> Iterator[tuple[str, Settings]]:
    port, sandbox_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{port}"
    overrides = {
        "OFFER_ASSISTANT_DATA_DIR": str(scratch / "data"),
        "OFFER_ASSISTANT_PUBLIC_URL": base,
        "OFFER_ASSISTANT_SANDBOX__PORT": str(sandbox_port),
    }
    if fixture is not None:
        overrides["OFFER_ASSISTANT_SANDBOX__FIXTURE"] = str(fixture)
    say(f"starting serve on {base} with a scratch data dir (indexing and drafting every offer first)...")
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
        served = load_settings(config, data_dir=scratch / "data", public_url=base)
        if fixture is not None:  # what `serve` was given, for the in-process sandbox of the ask part
            served.sandbox = served.sandbox.model_copy(update={"fixture": fixture})
        yield base, served
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


# -- ask, server-side -------------------------------------------------------------------------------------------


def _ask_bench(settings: Settings, samples: int, say: Say) -> tuple[float, float]:
    say(f"ask: {samples} calls through the pipeline in this process ...")
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


class AskVersusSearch(BaseModel):
    """`ask` through the whole pipeline, and the floor under it: the query's embedding and one filtered search."""

    samples: int
    ask_p50_ms: float
    ask_p95_ms: float
    search_p50_ms: float
    search_p95_ms: float

    @property
    def ratio_p95(self) -> float:
        return self.ask_p95_ms / self.search_p95_ms if self.search_p95_ms else float("inf")


def run_ask_versus_search(settings: Settings, samples: int, say: Say) -> AskVersusSearch:
    """Side by side in one process, same questions, same candidates: each call embeds its question afresh (the
    query cache is cleared), while the documents' sentence vectors stay warm as in a running chat."""
    with tempfile.TemporaryDirectory(prefix="ask-bench-") as scratch:
        scratch_settings = load_settings(type(settings).toml_file or DEMO_CONFIG, data_dir=Path(scratch))
        db = provisioning.database(scratch_settings)
        index = wiring.benefits_index(scratch_settings)
        index.build()
        with IcimsGateway(scratch_settings) as gateway:
            ready = [offer for offer in _drafted(db, scratch_settings, gateway) if offer.ready]
        pipeline = AnswerPipeline.from_settings(scratch_settings, db, index)
        identities = [_identity(scratch_settings, db, offer) for offer in ready]
        places = {i.offer_id: pipeline.ground(i).terms.jurisdiction for i in identities}
        calls = [(identities[n % len(identities)], QUESTIONS[n % len(QUESTIONS)]) for n in range(samples)]
        for identity, question in dict.fromkeys(calls):  # warm: model, index, templates, each passage's sentences
            pipeline.answer(identity, question)
        asked, searched = [], []
        for identity, question in calls:
            index.clear_query_cache()
            started = time.perf_counter()
            pipeline.answer(identity, question)
            asked.append((time.perf_counter() - started) * 1000)
            index.clear_query_cache()
            started = time.perf_counter()
            index.search(question, jurisdiction=places[identity.offer_id])
            searched.append((time.perf_counter() - started) * 1000)
        retrieval.close_client(wiring.retrieval_config(scratch_settings))
    report = AskVersusSearch(
        samples=samples, ask_p50_ms=percentile(asked, 50), ask_p95_ms=percentile(asked, 95),
        search_p50_ms=percentile(searched, 50), search_p95_ms=percentile(searched, 95),
    )  # fmt: skip
    say(
        f"ask p50 {report.ask_p50_ms:.1f} ms, p95 {report.ask_p95_ms:.1f} ms; query embedding + one filtered search "
        f"p50 {report.search_p50_ms:.1f} ms, p95 {report.search_p95_ms:.1f} ms; ratio at p95 {report.ratio_p95:.2f}"
    )
    return report


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
