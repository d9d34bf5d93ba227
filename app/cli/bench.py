"""`offer-assistant bench`: every benchmark of the product in one run, one table of targets, one JSON file.

    offer-assistant bench            # all: offer, letters, retrieval, chat, webhooks, outage, notifications
    offer-assistant bench --only offer,letters --runs 10 --json out.json
    offer-assistant bench --only chat --chat-seconds 120 --chat-sessions 50
    offer-assistant bench --only outage --outage-seconds 30 --outage-webhooks 5   # a short try of issue 17's run

Each suite runs in turn (a suite whose module is not installed is listed as "not available", one that crashes as
"failed"); the 1-minute load average is sampled throughout, because other work on the machine slows every
figure. Nothing here is a test: unmet targets are reported, never turned into a failing exit code.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import threading
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from app.cli.context import settings_of
from app.config import Settings

SUITES = ("offer", "letters", "retrieval", "ask", "chat", "webhooks", "outage", "notifications")
Echo = Callable[[str], None]
SuiteOptions = dict[str, dict[str, Any]]


class Row(BaseModel):
    suite: str
    target: str
    measured: str
    met: bool | None = Field(None, description="None: no target, or nothing measured.")
    issue: int | None = None


class SuiteResult(BaseModel):
    suite: str
    status: Literal["ok", "not available", "failed"]
    seconds: float = 0.0
    rows: list[Row] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None


class Machine(BaseModel):
    nproc: int
    memory_mb: int | None
    python: str
    platform: str
    load_min: float | None = None
    load_mean: float | None = None
    load_max: float | None = None


class BenchRun(BaseModel):
    started: datetime
    finished: datetime
    machine: Machine
    suites: list[SuiteResult]


def register(cli: typer.Typer) -> None:
    cli.command("bench")(bench)


def bench(
    ctx: typer.Context,
    only: Annotated[
        str | None, typer.Option("--only", help=f"Comma-separated suites (default all): {','.join(SUITES)}.")
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Where to write the JSON (default bench-results/bench-<date>.json).")
    ] = None,
    runs: Annotated[
        int | None,
        typer.Option("--runs", min=1, help="Measured runs for offer and letters, drafts for webhooks, ask calls."),
    ] = None,
    chat_seconds: Annotated[
        float | None, typer.Option("--chat-seconds", min=1, help="How long the chat sessions run (default 60).")
    ] = None,
    chat_sessions: Annotated[
        int | None, typer.Option("--chat-sessions", min=1, help="Concurrent chat sessions (default 50).")
    ] = None,
    outage_seconds: Annotated[
        float | None, typer.Option("--outage-seconds", min=1, help="How long iCIMS is away (default 150).")
    ] = None,
    outage_webhooks: Annotated[
        int | None, typer.Option("--outage-webhooks", min=1, help="Webhooks during the outage (default 20).")
    ] = None,
    retrieval_100k: Annotated[
        bool, typer.Option("--retrieval-100k", help="Also measure retrieval at 100,000 chunks (about 3 minutes).")
    ] = False,
) -> None:
    """Run the benchmarks and print each target beside the measured figure (met / NOT met)."""
    chosen = _chosen(only)
    console = Console(soft_wrap=True)
    chat = {"duration_seconds": chat_seconds, "sessions": chat_sessions}
    outage = {"outage_seconds": outage_seconds, "webhooks": outage_webhooks}
    options: SuiteOptions = {
        "chat": {k: v for k, v in chat.items() if v is not None},
        "outage": {k: v for k, v in outage.items() if v is not None},
        "retrieval": {"large": True} if retrieval_100k else {},
    }

    def echo(line: str) -> None:
        console.print(line, markup=False, highlight=False)

    run = run_suites(settings_of(ctx), chosen, runs, echo, options)
    console.print(results_table(run))
    path = json_file or Path("bench-results") / f"bench-{run.started:%Y-%m-%d}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(run.model_dump_json(indent=2))
    console.print(f"figures written to {path}")
    if any(s.status == "failed" for s in run.suites):
        raise typer.Exit(1)


def _chosen(only: str | None) -> list[str]:
    names = [n.strip() for n in (only or ",".join(SUITES)).split(",") if n.strip()]
    unknown = sorted(set(names) - set(SUITES))
    if unknown:
        raise typer.BadParameter(f"unknown suite(s) {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    return [s for s in SUITES if s in names]


def run_suites(
    settings: Settings, suites: list[str], runs: int | None, echo: Echo, options: SuiteOptions | None = None
) -> BenchRun:
    """`options`: a suite's own keyword arguments, by suite (only those given on the command line)."""
    sampler = LoadSampler().start()
    started = datetime.now(UTC)
    results = []
    for suite in suites:
        echo(f"== {suite} ==")
        results.append(run_suite(suite, settings, runs, echo, **(options or {}).get(suite, {})))
    loads = sampler.stop()
    machine = machine_info()
    if loads:
        machine.load_min, machine.load_max = min(loads), max(loads)
        machine.load_mean = round(sum(loads) / len(loads), 2)
    return BenchRun(started=started, finished=datetime.now(UTC), machine=machine, suites=results)


def run_suite(suite: str, settings: Settings, runs: int | None, echo: Echo, **options: Any) -> SuiteResult:
    started = time.perf_counter()
    try:
        result = RUNNERS[suite](settings, runs, echo, **options)
    except ModuleNotFoundError as exc:
        result = SuiteResult(suite=suite, status="not available", error=f"module {exc.name} is not installed")
    except Exception as exc:  # one suite's crash must not lose the others' figures
        echo("".join(traceback.format_exception(exc))[-3000:])
        result = SuiteResult(suite=suite, status="failed", error=f"{type(exc).__name__}: {exc}")
    if result.status != "ok" and not result.rows:
        result.rows = [
            Row(suite=suite, issue=ISSUES.get(suite), target=t, measured=result.status) for t in TARGETS[suite]
        ]
    result.seconds = round(time.perf_counter() - started, 1)
    return result


# -- the suites -------------------------------------------------------------------------------------------------

ISSUES = {
    "offer": 3,
    "letters": 3,
    "retrieval": 4,
    "ask": 12,
    "chat": 6,
    "webhooks": 7,
    "outage": 17,
    "notifications": 18,
}
# Issue 15 raised issue 4's indexing target (100 chunks/s) to 150 chunks/s end to end (BENCHMARKS.md).
INDEX_TARGET_CHUNKS_PER_SECOND = 150
INDEX_TARGET_ISSUE = 15
ASK_RATIO_TARGET = 1.5
ASK_TIGHT_RATIO_TARGET = 1.3
ASK_TIGHT_TARGET_ISSUE = 15
TARGETS = {
    "offer": ["workflow → offer → letter → compliance → PDF: p95 < 1 s end to end"],
    "letters": ["render → compliance → PDF (part of the 1 s budget; no target of its own)"],
    "retrieval": [
        "hybrid hit@5 ≥ 0.95",
        "hybrid hit@1 ≥ 0.85",
        "hybrid query p50 < 20 ms (warm)",
        f"indexing ≥ {INDEX_TARGET_CHUNKS_PER_SECOND} chunks/s end to end",
        "memory and disk at 100,000 chunks stated (--retrieval-100k; else at 10,000)",
        "hybrid search p50 at 10,000 chunks ≤ 2 × its p50 at the demo size, in one run",
        "hybrid search p95 at 100,000 chunks ≤ 40 ms (--retrieval-100k)",
    ],
    "ask": [
        "ask warm p95 ≤ 1.5 × (query embedding + one filtered search), side by side in one run",
        "ask warm p95 ≤ 1.3 × (query embedding + one filtered search), side by side in one run",
    ],
    "chat": [
        "ask p95 < 100 ms (warm, embedded engine)",
        "50 concurrent candidate sessions for a minute over Socket.IO: answer p95 < 500 ms",
        "50 concurrent candidate sessions for a minute over Socket.IO: 0 errors",
    ],
    "webhooks": ["webhook → draft ready: p95 < 2 s", "webhooks accepted ≥ 200/s", "no webhook lost"],
    "outage": [
        "150 s iCIMS outage, 20 webhooks, 2 workers: 20/20 drafted and written exactly once, no manual step",
        "… within 120 s of iCIMS returning",
        "120-call 429 storm: no due job waits more than its Retry-After plus one worker round; nobody sleeps",
    ],
    "notifications": [
        "a due approval step's notification leaves within one worker round",
        "0 duplicate e-mails",
    ],
}


def _row(suite: str, target: str, measured: str, met: bool | None) -> Row:
    return Row(suite=suite, issue=ISSUES[suite], target=target, measured=measured, met=met)


def _offer(settings: Settings, runs: int | None, echo: Echo) -> SuiteResult:
    from app.bench_offer import TARGET_P95_MS, run_offer_benchmark

    report = run_offer_benchmark(settings, runs=runs or 20, echo=echo)
    total = report.stage("end_to_end")
    measured = f"p95 {total.p95_ms:.0f} ms, p50 {total.p50_ms:.0f} ms ({report.runs} runs)"
    row = _row("offer", TARGETS["offer"][0], measured, total.p95_ms < TARGET_P95_MS)
    return SuiteResult(suite="offer", status="ok", rows=[row], details=report.model_dump())


def _letters(settings: Settings, runs: int | None, echo: Echo) -> SuiteResult:
    from offer_engine.bench_letters import bench_letters

    report = bench_letters(settings.policy_file, runs=runs or 30, echo=echo)
    total = next(s for s in report.stages if s.stage == "total")
    measured = f"p95 {total.p95_ms:.0f} ms, p50 {total.p50_ms:.0f} ms; {report.failed_checks} failing compliance"
    return SuiteResult(
        suite="letters",
        status="ok",
        rows=[_row("letters", TARGETS["letters"][0], measured, None)],
        details=report.model_dump(),
    )


def _retrieval(settings: Settings, runs: int | None, echo: Echo, large: bool = False) -> SuiteResult:  # noqa: ARG001
    from app.cli.index import default_eval_file
    from retrieval.bench import DEFAULT_SCALES, LARGE_SCALE, format_report, run_benchmark

    eval_file = default_eval_file(settings.benefits_dir)
    report = run_benchmark(
        settings.benefits_dir,
        eval_file if eval_file.is_file() else None,
        reference=False,
        scale_sizes=(*DEFAULT_SCALES, LARGE_SCALE) if large else DEFAULT_SCALES,
        engine=settings.vector_store.engine,
    )
    echo(format_report(report))
    targets = TARGETS["retrieval"]
    hybrid = next((q for q in report.quality if q.mode == "hybrid"), None)
    query = next(f for f in report.latency if f.mode == "hybrid")
    rows = [
        _row(
            "retrieval",
            targets[0],
            f"{hybrid.hit_at_k:.3f}" if hybrid else "no labelled set",
            hybrid.hit_at_k >= 0.95 if hybrid else None,
        ),
        _row(
            "retrieval",
            targets[1],
            f"{hybrid.hit_at_1:.3f}" if hybrid else "no labelled set",
            hybrid.hit_at_1 >= 0.85 if hybrid else None,
        ),
        _row("retrieval", targets[2], f"p50 {query.p50_ms:.1f} ms, p95 {query.p95_ms:.1f} ms", query.p50_ms < 20),
        indexing_row(report.index_chunks_per_second),
    ]
    scale = report.scale
    if scale is not None and scale.resident_mb is not None:
        memory = f"{scale.resident_mb:.0f} MB resident, {scale.disk_mb:.0f} MB on disk ({scale.chunks:,} chunks)"
        rows.append(_row("retrieval", targets[4], memory, True))
    else:
        rows.append(_row("retrieval", targets[4], "not measured", False))
    growth = report.growth(10_000)
    ten_k = next((s for s in report.scales if s.chunks == 10_000), None)
    rows.append(
        _row(
            "retrieval",
            targets[5],
            f"{growth:.2f}× (p50 {ten_k.paired_p50_ms:.1f} ms vs {ten_k.paired_demo_p50_ms:.1f} ms at "
            f"{report.corpus_chunks} chunks, queries alternating)"
            if growth is not None and ten_k is not None
            else "not measured",
            growth <= 2 if growth is not None else None,
        )
    )
    large_scale = next((s for s in report.scales if s.chunks == LARGE_SCALE), None)
    p95 = large_scale.hybrid().p95_ms if large_scale else None
    rows.append(
        _row(
            "retrieval",
            targets[6],
            f"p95 {p95:.1f} ms" if p95 is not None else "not measured",
            p95 <= 40 if p95 is not None else None,
        )
    )
    return SuiteResult(suite="retrieval", status="ok", rows=rows, details=report.model_dump())


def indexing_row(chunks_per_second: float) -> Row:
    """Indexing throughput judged against issue 15's target (not issue 4's older 100 chunks/s)."""
    return Row(
        suite="retrieval",
        issue=INDEX_TARGET_ISSUE,
        target=TARGETS["retrieval"][3],
        measured=f"{chunks_per_second:.0f} chunks/s end to end",
        met=chunks_per_second >= INDEX_TARGET_CHUNKS_PER_SECOND,
    )


def _ask(settings: Settings, runs: int | None, echo: Echo) -> SuiteResult:
    module = importlib.import_module("app.bench_chat")
    report = module.run_ask_versus_search(settings, runs or 200, echo)
    measured = (
        f"ask p95 {report.ask_p95_ms:.1f} ms vs search p95 {report.search_p95_ms:.1f} ms: "
        f"{report.ratio_p95:.2f}× ({report.samples} calls; "
        f"p50 {report.ask_p50_ms:.1f} vs {report.search_p50_ms:.1f} ms)"
    )
    # Issue 12 set 1.5× for the answer engine; issue 15 tightened it to 1.3× once the search itself got faster.
    rows = [
        _row("ask", TARGETS["ask"][0], measured, report.ratio_p95 <= ASK_RATIO_TARGET),
        Row(suite="ask", issue=ASK_TIGHT_TARGET_ISSUE, target=TARGETS["ask"][1], measured=measured,
            met=report.ratio_p95 <= ASK_TIGHT_RATIO_TARGET),
    ]  # fmt: skip
    return SuiteResult(suite="ask", status="ok", rows=rows, details=report.model_dump())


def _chat(settings: Settings, runs: int | None, echo: Echo, **options: Any) -> SuiteResult:
    module = importlib.import_module("app.bench_chat")
    if runs:
        options["ask_samples"] = runs
    report = module.run_chat_bench(settings, say=echo, **options)
    targets = TARGETS["chat"]
    complete, first = report.complete, report.first_token
    # The session targets are about 50 sessions for a minute: a smaller or shorter run is reported, not judged.
    full_load = report.sessions >= 50 and report.duration_seconds >= 60
    load = module.load_text(report.load)
    rows = [
        _row(
            "chat",
            targets[0],
            f"p95 {report.ask_p95_ms:.1f} ms, p50 {report.ask_p50_ms:.1f} ms",
            report.ask_p95_ms < 100,
        ),
        _row(
            "chat",
            targets[1],
            f"complete answer {module.latency_text(complete)}; first token {module.latency_text(first)} "
            f"({report.replies} answers; load average {load})",
            (complete.p95_ms < 500 if complete.p95_ms is not None else False) if full_load else None,
        ),
        _row(
            "chat",
            targets[2],
            f"{report.errors} errors in {report.messages} messages ({_kinds(report.errors_by_kind)}; "
            f"{report.sessions} sessions, {report.candidates} candidates, {report.duration_seconds:.0f} s)",
            report.errors == 0 if full_load else None,
        ),
    ]
    return SuiteResult(suite="chat", status="ok", rows=rows, details=report.model_dump())


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in counts.items()) or "none of any kind"


def _webhooks(settings: Settings, runs: int | None, echo: Echo) -> SuiteResult:
    module = importlib.import_module("app.bench_webhooks")
    options: dict[str, Any] = {"echo": echo}
    if runs:
        options["drafts"] = runs
    report = module.run_benchmark(settings, **options)
    targets = TARGETS["webhooks"]
    rows = [
        _row(
            "webhooks",
            targets[0],
            f"p95 {report.draft_p95_seconds:.2f} s, p50 {report.draft_p50_seconds:.2f} s ({report.drafts} drafts)",
            report.draft_p95_seconds < 2,
        ),
        _row(
            "webhooks",
            targets[1],
            f"{report.accepted_per_second:.0f}/s ({report.burst} in a burst)",
            report.accepted_per_second >= 200,
        ),
        _row("webhooks", targets[2], f"{report.lost} lost of {report.burst}", report.lost == 0),
    ]
    return SuiteResult(suite="webhooks", status="ok", rows=rows, details=report.model_dump())


def _notifications(settings: Settings, runs: int | None, echo: Echo) -> SuiteResult:
    module = importlib.import_module("app.bench_notifications")
    report = module.run_benchmark(settings, runs=runs or 10, echo=echo)
    targets = TARGETS["notifications"]
    measured = (
        f"{report.within_one_round}/{report.runs} in one round (at most {report.rounds_max}); "
        f"round p50 {report.round_p50_ms:.0f} ms, p95 {report.round_p95_ms:.0f} ms"
    )
    rows = [
        _row("notifications", targets[0], measured, report.rounds_max <= module.TARGET_ROUNDS),
        _row("notifications", targets[1], f"{report.duplicates} of {report.mails} mails", report.duplicates == 0),
    ]
    return SuiteResult(suite="notifications", status="ok", rows=rows, details=report.model_dump())


def _outage(settings: Settings, runs: int | None, echo: Echo, **options: Any) -> SuiteResult:  # noqa: ARG001
    module = importlib.import_module("app.bench_outage")
    report = module.run_bench(settings, echo=echo, **options)
    outage, storm = report.outage, report.storm
    targets = TARGETS["outage"]
    # The outage targets are about 150 s and 20 webhooks: a shorter or smaller run is reported, not judged.
    full = outage.outage_seconds >= 150 and outage.webhooks >= 20 and outage.workers >= 2
    all_once = outage.written_once == outage.webhooks and outage.duplicate_writes == 0
    settled = outage.settle_seconds
    worst_job = storm.max_job_overshoot_seconds
    storm_ok = (
        storm.slept_seconds == 0
        and storm.max_overshoot_seconds <= storm.round_seconds
        and (worst_job is None or worst_job <= storm.round_seconds)
        and storm.written_once == storm.webhooks
        and storm.duplicate_writes == 0
    )
    job_text = f"{worst_job:.2f} s" if worst_job is not None else "(none throttled)"
    rows = [
        _row(
            "outage",
            targets[0],
            f"{outage.drafted}/{outage.webhooks} drafted, {outage.written_once} written exactly once, "
            f"{outage.duplicate_writes} duplicate writes, {outage.events_dead} ended without a draft "
            f"(outage {outage.outage_seconds:.0f} s, {outage.workers} workers, attempts up to "
            f"{outage.max_attempts_during_outage})",
            (all_once and outage.drafted == outage.webhooks) if full else None,
        ),
        _row(
            "outage",
            targets[1],
            f"settled {settled:.1f} s after iCIMS returned" if settled is not None else "did not settle in 600 s",
            (settled is not None and settled <= 120) if full else None,
        ),
        _row(
            "outage",
            targets[2],
            f"next call at most {storm.max_overshoot_seconds:.2f} s after a Retry-After ran out; a throttled job's "
            f"or event's own retry at most {job_text} after its own (a round: {storm.round_seconds:.2f} s); "
            f"{storm.throttled_answers} 429s, slept {storm.slept_seconds:g} s, drained in {storm.drain_seconds:.0f} s; "
            f"{storm.written_once}/{storm.webhooks} written exactly once",
            storm_ok if storm.storm_calls >= 120 else None,
        ),
    ]
    return SuiteResult(suite="outage", status="ok", rows=rows, details=report.model_dump())


# Each runner takes (settings, runs, echo) and, when given on the command line, its suite's own options.
RUNNERS: dict[str, Callable[..., SuiteResult]] = {
    "offer": _offer,
    "letters": _letters,
    "retrieval": _retrieval,
    "ask": _ask,
    "chat": _chat,
    "webhooks": _webhooks,
    "outage": _outage,
    "notifications": _notifications,
}


# -- machine and output -----------------------------------------------------------------------------------------


class LoadSampler:
    """The 1-minute load average every few seconds while the benchmarks run."""

    def __init__(self, every_seconds: float = 5.0) -> None:
        self.every_seconds = every_seconds
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-sampler", daemon=True)

    def start(self) -> LoadSampler:
        self._thread.start()
        return self

    def stop(self) -> list[float]:
        self._stop.set()
        self._thread.join(timeout=10)
        return list(self.samples)

    def _run(self) -> None:
        while True:
            if hasattr(os, "getloadavg"):
                self.samples.append(round(os.getloadavg()[0], 2))
            if self._stop.wait(self.every_seconds):
                return


def machine_info() -> Machine:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) // 1024
    except OSError:
        pass
    return Machine(
        nproc=os.cpu_count() or 1, memory_mb=memory, python=platform.python_version(), platform=platform.platform()
    )


def results_table(run: BenchRun) -> Table:
    m = run.machine
    load = f"load average (1 min) during the run {m.load_min}–{m.load_max}, mean {m.load_mean}" if m.load_mean else ""
    table = Table(title=f"benchmarks {run.started:%Y-%m-%d %H:%M} UTC · {m.nproc} CPUs, {m.memory_mb} MB · {load}")
    for column in ("suite", "issue", "target", "measured", "result"):
        table.add_column(column)
    for suite in run.suites:
        for row in suite.rows:
            verdict = {True: "met", False: "NOT met", None: "—"}[row.met] if suite.status == "ok" else suite.status
            table.add_row(row.suite, str(row.issue or ""), row.target, row.measured, verdict)
    return table


def load_run(path: Path) -> BenchRun:
    return BenchRun.model_validate(json.loads(path.read_text()))
