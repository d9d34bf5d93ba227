"""Builds the product's parts from the settings, once, for every entry point (CLI, app, workers, benchmarks)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from app.ai.llm import OpenAICompatibleLLM
from app.ai.narrative import LLMNarrativeWriter
from app.config import Settings
from icims.client import ICIMSClient
from offer_engine.flows import EngineSetup
from offer_engine.narrative import NarrativeWriter, TemplateNarrativeWriter
from offer_engine.policy import load_policy
from retrieval import BenefitsIndex, RetrievalConfig


def icims_base_url(settings: Settings) -> str:
    """The configured tenant's API, or the local sandbox in sandbox mode."""
    if settings.sandbox_mode:
        return f"http://{settings.sandbox.host}:{settings.sandbox.port}"
    return settings.icims.base_url


def icims_client(
    settings: Settings,
    *,
    base_url: str | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    **connection: Any,
) -> ICIMSClient:
    """A client for the tenant (or `base_url`); `connection` overrides e.g. max_retries or timeout_seconds;
    `transport` and `sleep` let a benchmark watch every request and every back-off wait."""
    overrides = {name: value for name, value in connection.items() if value is not None}
    conn = settings.icims.model_copy(update=overrides) if overrides else settings.icims
    secret = settings.secret("icims.client_secret" if conn.auth == "oauth" else "icims.password")
    return ICIMSClient(
        conn, base_url=base_url or icims_base_url(settings), secret=secret, transport=transport, sleep=sleep
    )


def engine_setup(settings: Settings) -> EngineSetup:
    """The offer engine's tenant, mapping and policy (PolicyError if the policy file cannot be used)."""
    return EngineSetup(
        customer_id=settings.icims.customer_id,
        company_name=settings.company_name,
        mapping=settings.tenant,
        policy=load_policy(settings.policy_file, [t.key for t in settings.catalogue.tenant_terms]),
        writer=narrative_writer(settings),
    )


def narrative_writer(settings: Settings) -> NarrativeWriter:
    """The letter's personal paragraph: the configured LLM behind masking and the grounding guard (the template
    paragraph whenever it is down or not grounded), else the template alone."""
    if settings.llm.provider != "openai":
        return TemplateNarrativeWriter()
    return LLMNarrativeWriter(OpenAICompatibleLLM.from_settings(settings.llm))


def retrieval_config(settings: Settings, benefits_dir: Path | None = None) -> RetrievalConfig:
    """The retrieval package's settings from the application's."""
    store = settings.vector_store
    return RetrievalConfig(
        benefits_dir=benefits_dir or settings.benefits_dir,
        qdrant_path=None if store.url else settings.resolved_vector_path,
        qdrant_url=store.url,
        qdrant_api_key=store.api_key,
        engine=store.engine,
        collection=store.collection,
        tenant=store.tenant or f"icims-{settings.icims.customer_id}",
    )


def benefits_index(settings: Settings) -> BenefitsIndex:
    return BenefitsIndex(retrieval_config(settings))
