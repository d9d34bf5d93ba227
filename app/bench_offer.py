"""Benchmark of the offer path: workflow → offer → letter → compliance → PDF (stored), p50/p95 per stage.

Runs against a private sandbox over loopback HTTP and a scratch SQLite database; asserts nothing. The workflow is
the first one of the configured fixture at an offer-ready status (any fixture and tenant mapping work).
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pydantic import BaseModel, SecretStr

from app.config import ConfigError, Settings
from icims.client import ICIMSClient
from icims.sandbox import Sandbox, SandboxOptions, serve_in_thread
from offer_engine import offers
from offer_engine.actors import system_actor
from offer_engine.analytics import percentile
from offer_engine.db import make_engine, session_scope
from offer_engine.flows import EngineSetup, draft_from_icims
from offer_engine.migrations import upgrade
from offer_engine.policy import load_policy

TARGET_P95_MS = 1000.0


class StageFigures(BaseModel):
    stage: str
    p50_ms: float
    p95_ms: float


class OfferBenchReport(BaseModel):
    workflow: int
    runs: int
    stages: list[StageFigures]

    def stage(self, name: str) -> StageFigures:
        return next(s for s in self.stages if s.stage == name)


def offer_ready_workflow(settings: Settings) -> int:
    """The first workflow of the configured sandbox fixture at one of the tenant's offer-ready statuses."""
    data = json.loads(settings.sandbox.fixture.read_text(encoding="utf-8"))
    for workflow_id, workflow in sorted(data.get("applicantworkflows", {}).items(), key=lambda kv: int(kv[0])):
        if settings.tenant.is_offer_ready((workflow.get("status") or {}).get("id")):
            return int(workflow_id)
    raise ConfigError(f"no workflow of {settings.sandbox.fixture} is at an offer-ready status")


def run_offer_benchmark(
    settings: Settings, runs: int = 20, workflow: int | None = None, echo: Callable[[str], None] = print
) -> OfferBenchReport:
    """Time `runs` drafts of one workflow (after one warm-up run: fonts, templates, the OAuth token)."""
    workflow_id = workflow or offer_ready_workflow(settings)
    policy = load_policy(settings.policy_file, [t.key for t in settings.catalogue.tenant_terms])
    secret = secrets.token_urlsafe(24)
    options = SandboxOptions(client_id="bench", client_secret=SecretStr(secret))
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch, serve_in_thread(Sandbox(settings.sandbox.fixture, options)) as box:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'bench.db'}")
        upgrade(engine)
        connection = settings.icims.model_copy(
            update={
                "base_url": "sandbox",
                "auth": "oauth",
                "client_id": "bench",
                "customer_id": box.sandbox.customer_id,
            }
        )
        setup = EngineSetup(box.sandbox.customer_id, settings.company_name, settings.tenant, policy)
        actor = system_actor("bench")
        with ICIMSClient(connection, base_url=box.base_url, secret=secret) as client:
            for run in range(runs + 1):
                timings: dict[str, float] = {}
                started = time.perf_counter()
                with session_scope(engine) as session:
                    outcome = draft_from_icims(
                        session, client, setup, workflow_id, actor=actor, today=date.today(), timings=timings
                    )
                total = time.perf_counter() - started
                timings["database"] = total - sum(timings.values())  # offer, version, letter rows and the commit
                timings["end_to_end"] = total
                with session_scope(engine) as session:  # free the workflow for the next run (not timed)
                    offers.withdraw(
                        session, offers.get_offer(session, outcome.offer.id or 0), actor=actor, reason="bench"
                    )
                if run:
                    for name, seconds in timings.items():
                        samples.setdefault(name, []).append(seconds * 1000)
        engine.dispose()
    report = OfferBenchReport(
        workflow=workflow_id,
        runs=runs,
        stages=[
            StageFigures(stage=name, p50_ms=round(percentile(v, 50), 1), p95_ms=round(percentile(v, 95), 1))
            for name, v in samples.items()
        ],
    )
    echo(f"{runs} runs of workflow {workflow_id} (ms):")
    for figures in report.stages:
        echo(f"  {figures.stage:<14} p50 {figures.p50_ms:8.1f}   p95 {figures.p95_ms:8.1f}")
    return report
