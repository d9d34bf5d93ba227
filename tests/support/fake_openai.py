"""A local OpenAI-compatible chat endpoint for tests: real HTTP on loopback, scripted replies, every request kept.

    with FakeOpenAI() as llm:
        llm.script(Reply.text("Your base salary is $185,000 [F1]."), Reply.status(500))
        ... LLMSettings(provider="openai", base_url=llm.base_url, model="fake-model") ...
        llm.requests[0].body["messages"]

Replies: text (JSON, or SSE when the request asks to stream), stream (always SSE), garbage (200 with a body that
is not a completion), status (an HTTP error), slow (waits before answering), drop (closes the connection without
a response), drop_mid_stream (sends part of an SSE stream, then closes). A `responder` callable can build the reply
from the request (for hostile completions that echo what they were sent).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Kind = Literal["text", "stream", "garbage", "status", "slow", "drop", "drop_mid_stream"]


@dataclass(frozen=True)
class Reply:
    kind: Kind
    content: str = ""
    status: int = 200
    delay: float = 0.0
    chunk_size: int = 7

    @classmethod
    def text(cls, content: str) -> Reply:
        return cls("text", content)

    @classmethod
    def json(cls, payload: dict[str, Any]) -> Reply:
        return cls("text", json.dumps(payload))

    @classmethod
    def stream(cls, content: str, chunk_size: int = 7) -> Reply:
        return cls("stream", content, chunk_size=chunk_size)

    @classmethod
    def garbage(cls, body: str = "<html><body>502 Bad Gateway (upstream exploded)</body></html>") -> Reply:
        return cls("garbage", body)

    @classmethod
    def error(cls, status: int) -> Reply:
        return cls("status", status=status)

    @classmethod
    def slow(cls, seconds: float, content: str = "too late") -> Reply:
        return cls("slow", content, delay=seconds)

    @classmethod
    def drop(cls) -> Reply:
        return cls("drop")

    @classmethod
    def drop_mid_stream(cls, content: str) -> Reply:
        return cls("drop_mid_stream", content)


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.body.get("messages", []))

    @property
    def text(self) -> str:
        """Everything the request carried, as one string (to search for leaks)."""
        return json.dumps(self.body, ensure_ascii=False)


Responder = Callable[[RecordedRequest], Reply]


@dataclass
class FakeOpenAI:
    default: Reply = field(default_factory=lambda: Reply.text("I can help with that."))
    responder: Responder | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    _queue: list[Reply] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------------------------

    def __enter__(self) -> FakeOpenAI:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # -- scripting ------------------------------------------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def _next(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.pop(0)
        return self.responder(request) if self.responder else self.default

    def sent_text(self) -> str:
        """Every request body this server received, concatenated."""
        return "\n".join(r.text for r in self.requests)


def _completion(content: str, model: str) -> bytes:
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    }
    return json.dumps(body).encode()


def _sse_chunks(content: str, size: int, model: str) -> list[bytes]:
    first = {"choices": [{"index": 0, "delta": {"role": "assistant"}}], "model": model}
    chunks = [f"data: {json.dumps(first)}\n\n".encode()]
    for start in range(0, len(content), size):
        delta = {"choices": [{"index": 0, "delta": {"content": content[start : start + size]}}], "model": model}
        chunks.append(f"data: {json.dumps(delta)}\n\n".encode())
    return chunks


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"unparseable": raw.decode("utf-8", "replace")}
            request = RecordedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            reply = fake._next(request)
            model = str(body.get("model", "fake-model"))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts)
                self._answer(reply, model, bool(body.get("stream")))

        def _answer(self, reply: Reply, model: str, wants_stream: bool) -> None:
            if reply.kind == "slow":
                time.sleep(reply.delay)
                self._send(200, _completion(reply.content, model))
            elif reply.kind == "status":
                self._send(reply.status, json.dumps({"error": {"message": "scripted failure"}}).encode())
            elif reply.kind == "garbage":
                self._send(200, reply.content.encode(), "text/html")
            elif reply.kind == "drop":
                self._drop()
            elif reply.kind in ("stream", "drop_mid_stream") or (reply.kind == "text" and wants_stream):
                self._stream(reply, model)
            else:
                self._send(200, _completion(reply.content, model))

        def _send(self, status: int, payload: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _stream(self, reply: Reply, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            chunks = _sse_chunks(reply.content, reply.chunk_size, model)
            if reply.kind == "drop_mid_stream":
                for chunk in chunks[: max(2, len(chunks) // 2)]:
                    self.wfile.write(chunk)
                self.wfile.flush()
                self._drop()
                return
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def _drop(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    return Handler
