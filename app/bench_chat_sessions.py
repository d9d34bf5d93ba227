"""The chat benchmark's load generator: concurrent candidate sessions over Socket.IO on one asyncio loop.

    part = run_sessions(settings, "http://127.0.0.1:8000", SessionPlan(sessions=50, duration=60, think=(3, 10)), print)

Each session signs in with its candidate's portal link (from its own loopback address against a loopback
server), connects as Chainlit's browser client does, waits for the greeting and then chats until the plan's
deadline: a think time, a message drawn from `MESSAGE_MIX`, the answer awaited and timed (first streamed token,
task_end). Every failure is an error of its kind; the 1-minute load average is sampled meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from app.chat import provisioning
from app.chat.notices import render_template
from app.chat.provisioning import IcimsGateway, OfferRef
from app.config import Settings
from offer_engine.analytics import percentile

Say = Callable[[str], None]

# What candidates ask, by kind, and how often each kind comes up.
MESSAGE_MIX: dict[str, tuple[float, tuple[str, ...]]] = {
    "offer": (0.35, ("What is my base salary?", "When do I start?", "How does my equity vest?",
                     "Is there a sign-on bonus?", "What is my bonus target?", "How many vacation days do I get?")),
    "benefits": (0.30, ("Which health plans can I choose?", "How long is parental leave?",
                        "Is there a retirement plan match?", "Do you pay for a home office?")),
    "process": (0.25, ("When do I need to decide by?", "How do I reach my recruiter?",
                       "What happens after I accept?", "What do I need to bring on my first day?")),
    "negotiation": (0.10, ("Could you do 10% more on the base salary?", "Could the sign-on bonus be higher?")),
}  # fmt: skip
QUESTIONS = tuple(q for _, questions in MESSAGE_MIX.values() for q in questions)
ANSWER_TIMEOUT_SECONDS = 60.0
# The rate-limit reply's fixed opening words, in each language the chat answers in.
_RATE_LIMITED = tuple(render_template("rate_limited", lang, seconds="\0").split("\0")[0] for lang in ("en", "es"))


class Latency(BaseModel):
    p50_ms: float | None = None
    p95_ms: float | None = None
    max_ms: float | None = None

    @classmethod
    def of(cls, values: list[float]) -> Latency:
        if not values:
            return cls()
        return cls(p50_ms=percentile(values, 50), p95_ms=percentile(values, 95), max_ms=max(values))


class LoadDuringRun(BaseModel):
    """The 1-minute load average while the sessions ran, and /proc/loadavg as it read at the start and the end."""

    min: float | None = None
    mean: float | None = None
    max: float | None = None
    at_start: str | None = None
    at_end: str | None = None


class SessionPlan(BaseModel):
    """How many sessions, for how long, and the think time before each message (uniform in the range)."""

    sessions: int
    duration: float
    think: tuple[float, float]


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
    sent: Counter[str] = Counter()
    errors: list[tuple[str, str]] = []  # (kind, detail)
    load: list[float] = []

    def error(self, kind: str, detail: str) -> None:
        self.errors.append((kind, detail))


def run_sessions(settings: Settings, base: str, plan: SessionPlan, say: Say) -> dict[str, Any]:
    offers = _candidates(settings)
    if len(offers) < plan.sessions:
        say(f"only {len(offers)} candidates have an offer: {plan.sessions} sessions share them")
    db = provisioning.database(settings)
    chosen = [offers[n % len(offers)] for n in range(plan.sessions)]
    links = [provisioning.candidate_link(settings, db, offer) for offer in chosen]
    links = [link.replace(settings.public_url.rstrip("/"), base, 1) for link in links]
    say(f"{plan.sessions} chat sessions over Socket.IO against {base} for {plan.duration:.0f} s ...")
    timings = _Timings()
    at_start = _proc_loadavg()
    asyncio.run(_sessions(base, links, plan, timings))
    kinds = Counter(kind for kind, _ in timings.errors)
    return {
        "candidates": len({offer.offer_id for offer in chosen}),
        "messages": sum(timings.sent.values()),
        "messages_by_kind": {kind: timings.sent[kind] for kind in MESSAGE_MIX},
        "replies": len(timings.complete),
        "first_token": Latency.of(timings.first_token),
        "complete": Latency.of(timings.complete),
        "errors": len(timings.errors),
        "errors_by_kind": dict(kinds.most_common()),
        "error_examples": [f"{kind}: {detail}" for kind, detail in timings.errors[:5]],
        "load": _load(timings.load, at_start),
    }


def _proc_loadavg() -> str | None:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return None


def _load(samples: list[float], at_start: str | None) -> LoadDuringRun:
    if not samples:
        return LoadDuringRun(at_start=at_start, at_end=_proc_loadavg())
    mean = round(sum(samples) / len(samples), 2)
    return LoadDuringRun(min=min(samples), mean=mean, max=max(samples), at_start=at_start, at_end=_proc_loadavg())


async def _sessions(base: str, links: list[str], plan: SessionPlan, timings: _Timings) -> None:
    sources = _source_addresses(base, len(links))
    cookies = await asyncio.gather(
        *(_sign_in(link, source) for link, source in zip(links, sources, strict=True)), return_exceptions=True
    )
    deadline = asyncio.get_running_loop().time() + plan.duration
    sampler = asyncio.create_task(_sample_load(timings))
    tasks = []
    for n, cookie in enumerate(cookies):
        if isinstance(cookie, BaseException):
            timings.error("sign-in", repr(cookie))
            continue
        tasks.append(_one_session(base, cookie, _Script(n, plan.think), deadline, timings))
    await asyncio.gather(*tasks)
    sampler.cancel()


async def _sample_load(timings: _Timings, every_seconds: float = 5.0) -> None:
    while hasattr(os, "getloadavg"):
        timings.load.append(round(os.getloadavg()[0], 2))
        await asyncio.sleep(every_seconds)


class _Script:
    """One candidate's messages and think times: the mix's kinds by weight, a question of the kind at random."""

    def __init__(self, seed: int, think: tuple[float, float]) -> None:
        self._rng = random.Random(seed)
        self._think = think

    def pause(self) -> float:
        return self._rng.uniform(*self._think)

    def message(self) -> tuple[str, str]:
        kinds = list(MESSAGE_MIX)
        kind = self._rng.choices(kinds, weights=[MESSAGE_MIX[k][0] for k in kinds])[0]
        return kind, self._rng.choice(MESSAGE_MIX[kind][1])


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
        self.replies: list[dict[str, Any]] = []
        self.first_token_at: float | None = None
        self.closing = self.lost = False

    def on_message(self, step: dict[str, Any]) -> None:
        if step.get("type") == "assistant_message":
            self.replies.append(step)
            self.greeted.set()
            self._first_token()

    def _first_token(self) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()

    def on_stream_start(self, step: dict[str, Any]) -> None:
        if step.get("type") == "assistant_message":
            self._first_token()

    def on_disconnect(self, *_: object) -> None:
        if not self.closing:  # the server hung up: wake whoever waits, it reports the loss
            self.lost = True
            self.finished.set()
            self.greeted.set()

    def ask(self) -> tuple[int, float]:
        self.finished.clear()
        self.first_token_at = None
        return len(self.replies), time.perf_counter()


async def _one_session(base: str, cookie: str, script: _Script, deadline: float, timings: _Timings) -> None:
    import socketio  # python-socketio, installed with Chainlit

    client = socketio.AsyncClient(reconnection=False)
    state = _Session()
    client.on("new_message", state.on_message)
    client.on("stream_start", state.on_stream_start)
    client.on("task_end", lambda _: state.finished.set())
    client.on("disconnect", state.on_disconnect)
    thread_id = str(uuid.uuid4())
    auth = {"sessionId": str(uuid.uuid4()), "clientType": "webapp", "userEnv": "{}", "threadId": None}
    loop = asyncio.get_running_loop()
    try:
        await client.connect(
            base, headers={"Cookie": f"access_token={cookie}"}, auth=auth, socketio_path="/ws/socket.io",
            transports=["websocket"], wait_timeout=30,
        )  # fmt: skip
        await client.emit("connection_successful")
        await asyncio.wait_for(state.greeted.wait(), 30)
        while not state.lost and loop.time() + (pause := script.pause()) < deadline:
            await asyncio.sleep(pause)
            kind, question = script.message()
            before, started = state.ask()
            await client.emit("client_message", _payload(question, thread_id))
            timings.sent[kind] += 1
            await asyncio.wait_for(state.finished.wait(), ANSWER_TIMEOUT_SECONDS)
            _record(state, before, started, question, timings)
    except TimeoutError:
        timings.error("timeout", f"no answer within {ANSWER_TIMEOUT_SECONDS:.0f} s (or no greeting)")
    except Exception as exc:  # a refused connection, a broken socket: counted, reported, the others go on
        timings.error("connection", f"{type(exc).__name__}: {exc}")
    finally:
        state.closing = True
        await client.disconnect()


def _record(state: _Session, before: int, started: float, question: str, timings: _Timings) -> None:
    ended = time.perf_counter()
    answers = state.replies[before:]
    texts = [str(answer.get("output", "")) for answer in answers]
    if state.lost:
        timings.error("disconnect", f"the server closed the session while answering {question!r}")
    elif not answers:
        timings.error("no reply", repr(question))
    elif any(answer.get("isError") for answer in answers):
        timings.error("error reply", f"{question!r}: {texts[-1][:200]}")
    elif any(text.startswith(_RATE_LIMITED) for text in texts):
        timings.error("rate limited", repr(question))
    else:
        timings.complete.append((ended - started) * 1000)
        timings.first_token.append(((state.first_token_at or ended) - started) * 1000)


def _payload(question: str, thread_id: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    message = {"id": str(uuid.uuid4()), "threadId": thread_id, "name": "User", "type": "user_message",
               "output": question, "createdAt": now}  # fmt: skip
    return {"message": message, "fileReferences": None}
