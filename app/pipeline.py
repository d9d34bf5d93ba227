"""The answer pipeline: authenticated candidate → their offer → route → grounding → engine + guard → cite → audit.

    pipeline = AnswerPipeline.from_settings(settings, db, index, contacts)
    result = pipeline.answer(identity, "When do I start?")            # blocking (the `ask` CLI)
    async for piece in pipeline.astream(identity, "¿Cuándo empiezo?"):  # the chat: text chunks, then the result
        ...

The offer comes only from the signed identity. Retrieval is filtered to the offer's jurisdiction (plus its
country and company-wide documents). The configured engine answers behind the AI layer's grounding guard; an
answer the grounding does not hold comes back with ``handoff`` set, and the caller offers to queue it for the
recruiter. Every AI call is written to the audit trail against the offer.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import AsyncIterator, Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.ai import AnswerEngine, ChatLLM, OpenAICompatibleLLM
from app.ai.extractive import RETRIEVAL_TRUST, best_evidence, bridge_words, passage_units, use_vocabulary
from app.ai.facts import builtin_facts, choice_options, tenant_facts
from app.ai.language import detect_language, reply_language
from app.ai.models import Answer, AnswerRequest, CounterProposal, EngineOptions
from app.ai.models import Passage as GroundPassage
from app.ai.reader_rows import another_countrys, rows_for_reader
from app.ai.streaming import sentence_pieces
from app.chat.auditing import OfferAuditSink
from app.chat.contacts import ContactBook
from app.chat.grounding import Grounding, load_grounding
from app.chat.identity import CandidateIdentity
from app.chat.transactions import in_transaction
from app.config import Settings
from offer_engine import candidate_requests, counters
from offer_engine.actors import candidate_actor
from offer_engine.candidate_requests import CandidateRequest, RequestKind
from offer_engine.catalogue import pay_quantity
from offer_engine.counters import CounterOffer
from offer_engine.errors import StaleVersionError
from offer_engine.offers import get_offer
from offer_engine.versions import require_current_version
from retrieval import BenefitsIndex, Passage, RetrievalError

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 1000
# Answering is CPU-bound Python (embedding, local-mode search, routing) plus short SQLite transactions: more
# threads than this only share the GIL and the cores with the event loop and make every answer slower.
ANSWER_THREADS = 2
T = TypeVar("T")


class PipelineResult(BaseModel):
    """One answered message: the answer, the grounding it used and the passages it could cite."""

    model_config = ConfigDict(frozen=True)

    answer: Answer
    grounding: Grounding
    passages: list[GroundPassage]

    def ask_json(self, workflow_id: int, question: str) -> dict[str, Any]:
        """The `offer-assistant ask` result."""
        return ask_json(workflow_id, question, self.answer)


class StreamPiece(BaseModel):
    """A chunk of streamed text; the last piece has no text and carries the result."""

    model_config = ConfigDict(frozen=True)

    text: str = ""
    result: PipelineResult | None = None
    replace: bool = False  # `text` replaces what was streamed so far (see `AnswerDelta.replace`)


def ask_json(workflow_id: int, question: str, answer: Answer) -> dict[str, Any]:
    counter = answer.counter_offer
    return {
        "workflow": workflow_id,
        "question": question,
        "answer": answer.text,
        "citations": [citation.model_dump(mode="json") for citation in answer.citations],
        "intent": answer.intent.value,
        "counter_offer": None
        if counter is None
        else {"items": counter.to_json()["items"], "rationale": counter.rationale},
        "handoff": answer.handoff,
    }


# Passages the bridged word search may add after the question's own hits. The bridged words go to word matching
# only: added to what the encoder reads, they moved same-language questions off their best passage (demo set hit@1
# 0.87 -> 0.81), while a cross-language question's own search finds little to keep in any case.
BRIDGED_PASSAGES = 3


def bridged_query(question: str, document_languages: Collection[str] = ()) -> str | None:
    """The question followed by its concepts' words in the documents' other languages (default: every language of
    the vocabulary; see `bridge_words`), or None when it names no concept the vocabulary knows or the documents
    are all in its own language."""
    language = detect_language(question)
    if set(document_languages) == {language}:
        return None
    bridged = bridge_words(question, language, into=document_languages)
    return f"{question} {' '.join(bridged)}" if bridged else None


def answered_in_its_own_language(question: str, found: list[Passage]) -> bool:
    """Whether the question's own hits meet it in meaning and hold a sentence that answers it by its words: then
    the word search in other languages is not needed (it costs about a third of an answer)."""
    if not any((p.similarity or 0.0) >= RETRIEVAL_TRUST for p in found):
        return False  # across languages the encoder's similarities stay below 0.3
    return bool(best_evidence(question, [grounded(p) for p in found], limit=1))


def grounded(passage: Passage) -> GroundPassage:
    return GroundPassage(
        doc_id=passage.doc_id,
        title=passage.title,
        section=passage.section_path,
        text=passage.text,
        quote=passage.quote,
        jurisdiction=",".join(passage.jurisdictions),
        similarity=passage.similarity,
    )


class AnswerPipeline:
    """Shared by every chat session and CLI call of a process (it keeps no per-candidate state)."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Engine,
        index: BenefitsIndex | None,
        llm: ChatLLM | None = None,
        contacts: ContactBook | None = None,
        options: EngineOptions | None = None,
        today: Callable[[], date] = date.today,
        top_k: int = 5,
        document_languages: Collection[str] = (),
        threads: int = ANSWER_THREADS,
    ) -> None:
        self.settings = settings
        self.db = db
        self.index = index
        self.llm = llm
        self.contacts = contacts
        self.options = options or EngineOptions()
        self.today = today
        self.top_k = top_k
        self.document_languages = tuple(document_languages)  # empty: any language of the vocabulary
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="answer")

    @classmethod
    def from_settings(
        cls, settings: Settings, db: Engine, index: BenefitsIndex | None, contacts: ContactBook | None = None
    ) -> AnswerPipeline:
        llm = OpenAICompatibleLLM.from_settings(settings.llm) if settings.llm.provider == "openai" else None
        use_vocabulary(settings.vocabulary_tables)
        return cls(
            settings=settings,
            db=db,
            index=index,
            llm=llm,
            contacts=contacts,
            document_languages=settings.vocabulary.document_languages,
        )

    async def offload(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """`work(*args, **kwargs)` on the pipeline's own few threads, never on the event loop.

        Not on asyncio's default executor: Chainlit writes every element's file through it (aiofiles), and a
        queue of answers there delayed each reply's sources by the time of the answers ahead of it.
        """
        call = partial(contextvars.copy_context().run, partial(work, *args, **kwargs))
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    # -- the steps ------------------------------------------------------------------------------------------------

    def ground(self, identity: CandidateIdentity) -> Grounding:
        return in_transaction(self.db, lambda session: load_grounding(session, identity, self.contacts))

    def retrieve(self, question: str, jurisdiction: str) -> list[GroundPassage]:
        """Benefits passages for the question that apply in the offer's jurisdiction (or none if no index).

        Unless the question's own hits answer it, up to `BRIDGED_PASSAGES` more follow from a word search that also
        carries the question's concepts in the vocabulary's other languages, so a German question meets an English
        document and the other way round. Everything else (the sentence similarities, the answer and its language)
        keeps the candidate's own words.
        """
        query = question.strip()[:MAX_QUERY_CHARS]
        if self.index is None or not query:
            return []
        try:
            found = self.search(query, jurisdiction)
        except RetrievalError as exc:
            log.warning("benefits search unavailable, answering from the offer only: %s", exc)
            return []
        return self._with_unit_similarity(query, [grounded(p) for p in found])

    def search(self, query: str, jurisdiction: str) -> list[Passage]:
        """The index hits for `query`: its own `top_k`, then up to `BRIDGED_PASSAGES` the bridged word search adds."""
        assert self.index is not None
        found = self.index.search(query, jurisdiction=jurisdiction, top_k=self.top_k)
        bridged = bridged_query(query, self.document_languages)
        if bridged is None or answered_in_its_own_language(query, found):
            return found
        try:
            across = self.index.search(bridged, jurisdiction=jurisdiction, top_k=self.top_k, mode="bm25")
        except RetrievalError as exc:
            log.warning("bridged word search unavailable, keeping the question's own hits: %s", exc)
            return found
        seen = {p.chunk_id for p in found}
        return found + [p for p in across if p.chunk_id not in seen][:BRIDGED_PASSAGES]

    def _with_unit_similarity(self, query: str, passages: list[GroundPassage]) -> list[GroundPassage]:
        """Each passage with how close in meaning each of its sentences and table rows is to the question."""
        if self.index is None or not passages:
            return passages
        units = [passage_units(p) for p in passages]
        flat = [unit for group in units for unit in group]
        try:
            scores = iter(self.index.similarities(query, flat))
        except RetrievalError as exc:
            log.warning("sentence similarity unavailable, choosing evidence by words only: %s", exc)
            return passages
        return [
            p.model_copy(update={"unit_similarity": {unit: next(scores) for unit in group}})
            for p, group in zip(passages, units, strict=True)
        ]

    def request_for(self, grounding: Grounding, message: str | bytes, passages: list[GroundPassage]) -> AnswerRequest:
        language = detect_language(message, grounding.language_hint) if isinstance(message, str) else "en"
        catalogue, reply = self.settings.catalogue, reply_language(language)
        facts = tenant_facts(catalogue, grounding.terms, reply, grounding.fact_refs)
        facts += builtin_facts(catalogue, grounding.terms, reply, grounding.fact_refs)
        return AnswerRequest(
            message=message,
            terms=grounding.terms,
            today=self.today(),
            company_name=self.settings.company_name,
            candidate=grounding.candidate,
            recruiter=grounding.recruiter,
            hiring_manager=grounding.hiring_manager,
            passages=[_for_reader(p, grounding.terms.country) for p in passages],
            fact_refs=grounding.fact_refs,
            extra_facts=facts,
            arrangement_names=choice_options(catalogue.terms["work_arrangement"]),
            payments_per_year=pay_quantity(catalogue.terms["base_salary"].payments_per_year, grounding.terms.custom),
            hours_per_week=pay_quantity(catalogue.terms["base_salary"].hours_per_week, grounding.terms.custom),
            annual_equivalent=catalogue.terms["base_salary"].annual_equivalent,
            offer_title=grounding.offer_title,
            language_hint=grounding.language_hint,
            letter_available=grounding.letter is not None,
            counters=grounding.counters,
        )

    def _prepare(
        self, identity: CandidateIdentity, message: str | bytes, check: Callable[[], None] | None = None
    ) -> tuple[Grounding, list[GroundPassage], AnswerRequest, OfferAuditSink, AnswerEngine]:
        if check is not None:
            check()
        grounding = self.ground(identity)
        text = message if isinstance(message, str) else ""
        readable = len(text) <= self.options.max_message_chars
        passages = self.retrieve(text, grounding.terms.jurisdiction) if readable else []
        sink = OfferAuditSink(
            offer_id=grounding.offer_id,
            icims_ids=grounding.icims_ids,
            channel=identity.channel,
            candidate=str(identity.person_id),
        )
        engine = AnswerEngine(llm=self.llm, audit=sink, options=self.options)
        return grounding, passages, self.request_for(grounding, message, passages), sink, engine

    def _write_audit(self, sink: OfferAuditSink) -> None:
        in_transaction(self.db, sink.write)

    # -- answering ------------------------------------------------------------------------------------------------

    def answer(
        self, identity: CandidateIdentity, message: str | bytes, *, check: Callable[[], None] | None = None
    ) -> PipelineResult:
        """Answer one message; `check` runs first (the chat re-checks the link there and raises to refuse)."""
        grounding, passages, request, sink, engine = self._prepare(identity, message, check)
        answer = engine.answer(request)
        self._write_audit(sink)
        return PipelineResult(answer=answer, grounding=grounding, passages=passages)

    async def astream(
        self, identity: CandidateIdentity, message: str | bytes, *, check: Callable[[], None] | None = None
    ) -> AsyncIterator[StreamPiece]:
        """The answer as the engine writes it (verified sentences), then the result. The CPU and database work runs
        on the pipeline's threads: the engine's routing, extraction and templates would otherwise stall every other
        chat session."""
        if self.llm is None:  # nothing arrives piece by piece: the whole answer in one hop, shown by sentence
            result = await self.offload(self.answer, identity, message, check=check)
            for piece in sentence_pieces(result.answer.text):
                yield StreamPiece(text=piece)
            yield StreamPiece(result=result)
            return
        grounding, passages, request, sink, engine = await self.offload(self._prepare, identity, message, check)
        answer: Answer | None = None
        async for delta in engine.astream(request, offload=self.offload):
            if delta.answer is not None:
                answer = delta.answer
            else:
                yield StreamPiece(text=delta.text, replace=delta.replace)
        assert answer is not None, "the engine's stream ends with the answer"
        await self.offload(self._write_audit, sink)
        yield StreamPiece(result=PipelineResult(answer=answer, grounding=grounding, passages=passages))

    # -- what the candidate confirms ------------------------------------------------------------------------------

    def submit_counter(
        self,
        identity: CandidateIdentity,
        proposal: CounterProposal,
        *,
        message: str,
        message_id: str | None,
        version_number: int,
    ) -> CounterOffer:
        """Store a confirmed counter-offer against the version the candidate saw (StaleVersionError if it moved)."""

        def submit(session: Session) -> CounterOffer:
            offer = get_offer(session, identity.offer_id)
            current = require_current_version(session, offer)
            if current.number != version_number:
                raise StaleVersionError(
                    f"the offer is at version {current.number}; the proposal was made on version {version_number}"
                )
            return counters.submit_counter(
                session,
                offer,
                list(proposal.items),
                actor=candidate_actor(identity.person_id or 0),
                rationale=proposal.rationale,
                competing_offer=proposal.competing_offer,
                source_message_id=message_id,
                source_message_text=message,
            )

        return in_transaction(self.db, submit)

    def queue_request(
        self,
        identity: CandidateIdentity,
        kind: RequestKind,
        *,
        message: str,
        answer: Answer | None = None,
        message_id: str | None = None,
    ) -> CandidateRequest:
        """Queue a hand-off or an accept/decline intent for the recruiter."""
        return in_transaction(
            self.db,
            lambda session: candidate_requests.submit_request(
                session,
                get_offer(session, identity.offer_id),
                kind,
                actor=candidate_actor(identity.person_id or 0),
                message=message,
                assistant_reply=answer.text if answer else None,
                intent=answer.intent.value if answer else None,
                language=answer.language if answer else identity.language,
                channel=identity.channel,
                source_message_id=message_id,
            ),
        )


def _for_reader(passage: GroundPassage, country: str) -> GroundPassage:
    """The passage with its table rows cut to the candidate's country (another country's cells are not theirs)."""
    if another_countrys(f"{passage.title} > {passage.section}", country):
        return passage.model_copy(update={"text": ""})  # a section for another country: none of it is theirs
    text = rows_for_reader(passage.text, country)
    return passage if text == passage.text else passage.model_copy(update={"text": text})
