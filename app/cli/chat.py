"""`offer-assistant link | ask | serve`: candidate links, the answer pipeline without a UI, and the whole app.

offer-assistant link --workflow 3401 [--one-time] [--widget]
offer-assistant ask --workflow 3401 [--json] [--confirm] "When do I start?"
offer-assistant ask --batch questions.jsonl [--confirm]       # one JSON result per line, same order
offer-assistant serve [--host 0.0.0.0] [--port 8000] [--no-workers]
"""

from __future__ import annotations

import json
import sys
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.engine import Engine

from app import wiring
from app.ai.models import Intent
from app.chat import provisioning, serving
from app.chat.contacts import IcimsContactBook
from app.chat.identity import CandidateIdentity
from app.chat.provisioning import IcimsGateway, OfferRef
from app.cli.context import settings_of
from app.config import ConfigError, Settings
from app.mail_sandbox import with_sandbox_mail
from app.observability import configure_logging
from app.pipeline import AnswerPipeline, PipelineResult
from icims.errors import ICIMSError
from offer_engine.access import AccessDeniedError
from offer_engine.candidate_requests import RequestKind
from offer_engine.db import session_scope
from offer_engine.errors import DomainError
from offer_engine.offers import get_offer
from retrieval import RetrievalError

_REQUESTS = {Intent.ACCEPT_INTENT: RequestKind.ACCEPT_INTENT, Intent.DECLINE_INTENT: RequestKind.DECLINE_INTENT}


def register(cli: typer.Typer) -> None:
    cli.command("link")(link)
    cli.command("ask")(ask)
    cli.command("serve")(serve)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


# -- link ------------------------------------------------------------------------------------------------------


def link(
    ctx: typer.Context,
    workflow: Annotated[int, typer.Option("--workflow", help="iCIMS applicant workflow id.")],
    one_time: Annotated[bool, typer.Option("--one-time", help="The link opens the chat once only.")] = False,
    widget: Annotated[bool, typer.Option("--widget", help="A careers-page link with the chat widget.")] = False,
) -> None:
    """Print a signed, expiring link to the candidate's chat (drafting the offer from iCIMS if there is none)."""
    settings = settings_of(ctx)
    with IcimsGateway(settings) as gateway:
        db = provisioning.database(settings)
        offer = _offer(db, settings, gateway, workflow)
        try:
            typer.echo(provisioning.candidate_link(settings, db, offer, widget=widget, one_time=one_time))
        except AccessDeniedError as exc:
            _fail(f"no link for workflow {workflow}: {exc} (rotate the link to re-enable access)")


def _offer(db: Engine, settings: Settings, gateway: IcimsGateway, workflow_id: int) -> OfferRef:
    try:
        offer = provisioning.ensure_offer(db, settings, gateway, workflow_id, date.today())
    except (DomainError, ICIMSError, ConfigError) as exc:
        _fail(f"workflow {workflow_id} has no offer the chat can use: {exc}")
    if not offer.ready:
        _fail(f"workflow {workflow_id}: offer {offer.offer_id} is waiting for data in iCIMS ({offer.state})")
    return offer


# -- ask -------------------------------------------------------------------------------------------------------


class AskLine(BaseModel):
    """One line of an `ask --batch` file."""

    model_config = ConfigDict(extra="ignore")

    workflow: int
    question: str


@dataclass
class Asker:
    """The pipeline and iCIMS for a run of questions: models and the index are loaded once."""

    settings: Settings
    db: Engine
    gateway: IcimsGateway
    pipeline: AnswerPipeline
    confirm: bool
    offers: dict[int, OfferRef]

    def identity(self, workflow_id: int) -> CandidateIdentity:
        if workflow_id not in self.offers:
            self.offers[workflow_id] = provisioning.ensure_offer(
                self.db, self.settings, self.gateway, workflow_id, date.today()
            )
        offer = self.offers[workflow_id]
        if not offer.ready:
            waiting = "; ".join(offer.missing) or offer.state
            raise DomainError(f"offer {offer.offer_id} is waiting for data in iCIMS: {waiting}")
        with session_scope(self.db) as session:
            person_id = get_offer(session, offer.offer_id).person_id
        return CandidateIdentity(
            customer_id=self.settings.icims.customer_id,
            workflow_id=workflow_id,
            offer_id=offer.offer_id,
            person_id=person_id,
            channel="cli",
            display_name=offer.candidate,
        )

    def ask(self, workflow_id: int, question: str) -> PipelineResult:
        identity = self.identity(workflow_id)
        result = self.pipeline.answer(identity, question)
        if self.confirm:
            self._store(identity, question, result)
        return result

    def _store(self, identity: CandidateIdentity, question: str, result: PipelineResult) -> None:
        answer, message_id = result.answer, f"cli:{uuid.uuid4()}"
        if answer.counter_offer is not None:
            counter = self.pipeline.submit_counter(
                identity,
                answer.counter_offer,
                message=question,
                message_id=message_id,
                version_number=result.grounding.version_number,
            )
            typer.echo(f"stored counter-offer {counter.id} for offer {identity.offer_id}", err=True)
            return
        kind = _REQUESTS.get(answer.intent) or (RequestKind.HANDOFF if answer.handoff else None)
        if kind is not None:
            request = self.pipeline.queue_request(
                identity, kind, message=question, answer=answer, message_id=message_id
            )
            typer.echo(f"queued {kind.value} request {request.id} for offer {identity.offer_id}", err=True)


def ask(
    ctx: typer.Context,
    question: Annotated[str | None, typer.Argument(help="The candidate's message.")] = None,
    workflow: Annotated[int | None, typer.Option("--workflow", help="iCIMS applicant workflow id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON result.")] = False,
    confirm: Annotated[
        bool,
        typer.Option("--confirm", help="Store what the candidate would confirm (counter-offer, hand-off, intent)."),
    ] = False,
    batch: Annotated[
        Path | None, typer.Option("--batch", help='JSONL file of {"workflow": ID, "question": "..."} lines.')
    ] = None,
) -> None:
    """Answer a candidate's message through the chat's pipeline, without the UI."""
    settings = settings_of(ctx)
    if batch is None and (workflow is None or question is None):
        _fail('give --workflow ID and a question, or --batch FILE.jsonl (e.g. ask --workflow 3401 "When do I start?")')
    if batch is not None and not batch.is_file():
        _fail(f"batch file {batch} does not exist")
    with IcimsGateway(settings) as gateway:
        asker = _asker(settings, gateway, confirm)
        if batch is not None:
            failures = _ask_batch(asker, batch)
            if failures:
                raise typer.Exit(1)
            return
        assert workflow is not None
        assert question is not None
        try:
            result = asker.ask(workflow, question)
        except (DomainError, ICIMSError, ConfigError) as exc:
            _fail(f"cannot answer for workflow {workflow}: {exc}", 1)
        if as_json:
            typer.echo(json.dumps(result.ask_json(workflow, question), ensure_ascii=False))
        else:
            typer.echo(_human(result))


def _asker(settings: Settings, gateway: IcimsGateway, confirm: bool) -> Asker:
    db = provisioning.database(settings)
    index = wiring.benefits_index(settings)
    try:
        if not index.status().exists:
            typer.echo(f"indexing the benefits documents in {settings.benefits_dir} (first run)...", err=True)
            index.build()
    except RetrievalError as exc:
        _fail(f"the benefits index is not usable: {exc}")
    contacts = IcimsContactBook(gateway.client, settings.tenant)
    pipeline = AnswerPipeline.from_settings(settings, db, index, contacts)
    return Asker(settings, db, gateway, pipeline, confirm, {})


def _ask_batch(asker: Asker, path: Path) -> int:
    """Answer every line; a bad line gets a JSON error object in its place. Returns the number of failures."""
    failures = 0
    with path.open(encoding="utf-8") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            output: dict[str, Any]
            try:
                line = AskLine.model_validate_json(raw)
                output = asker.ask(line.workflow, line.question).ask_json(line.workflow, line.question)
            except ValidationError as exc:
                failures += 1
                output = {"line": number, "error": f"invalid line: {exc.errors()[0]['msg']}"}
            except (DomainError, ICIMSError, ConfigError) as exc:
                failures += 1
                output = {"line": number, "workflow": line.workflow, "question": line.question, "error": str(exc)}
            sys.stdout.write(json.dumps(output, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    return failures


def _human(result: PipelineResult) -> str:
    answer = result.answer
    lines = [answer.text, "", f"intent: {answer.intent.value}" + ("  (hand-off offered)" if answer.handoff else "")]
    for n, citation in enumerate(answer.citations, start=1):
        lines.append(f"[{n}] {citation.kind}: {citation.title} ({citation.ref}): {citation.quote}")
    if answer.counter_offer is not None:
        items = ", ".join(f"{i.key} → {i.requested}" for i in answer.counter_offer.items)
        lines.append(f"counter-offer detected: {items} (stored only with --confirm)")
    return "\n".join(lines)


# -- serve -----------------------------------------------------------------------------------------------------


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Interface to bind (default: public_url's host).")] = None,
    workers: Annotated[bool, typer.Option("--workers/--no-workers", help="Run the background workers.")] = True,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port to listen on (default: public_url's port).")
    ] = None,
) -> None:
    """Start the sandbox iCIMS (in sandbox mode), the index, the workers and the chat app, and print the links."""
    from app.web import create_app  # imports Chainlit, which reads its configuration at import

    try:
        settings, mail = with_sandbox_mail(settings_of(ctx))
    except OSError as exc:  # e.g. the sandbox mail port is taken
        _fail(f"cannot start the sandbox mail server: {exc}")
    configure_logging(settings)
    if mail is not None:
        typer.echo(
            f"mail (sandbox): SMTP on {mail.address[0]}:{mail.address[1]}; read what was sent in {mail.folder}/new"
        )
    try:
        with serving.started_services(settings, say=typer.echo, run_workers=workers) as services:
            wake = services.workers.wake if services.workers is not None else None
            web = create_app(settings, gateway=services.gateway, wake_worker=wake)
            serving.install_webhook(web, settings, services)
            serving.announce(settings, services, typer.echo)
            serving.run_app(web, settings, host, port)
    except (ConfigError, RetrievalError, OSError) as exc:
        _fail(f"cannot serve: {exc}")
    finally:
        if mail is not None:
            mail.stop()
