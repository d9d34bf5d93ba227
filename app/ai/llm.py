"""The chat-completion client for any OpenAI-compatible endpoint (vLLM, Ollama, OpenAI, Azure's v1 API).

Only masked text reaches this module. Every failure is a typed `LLMError` with a short reason that the engine
audits before it falls back to the embedded answer; nothing here is shown to a candidate.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from app.config import ConfigError, LLMSettings


class ChatMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class Completion(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    model: str
    finish_reason: str | None = None


class LLMError(Exception):
    """The endpoint could not give a usable completion; `reason` is what the audit records."""

    reason = "llm_error"


class LLMTimeoutError(LLMError):
    reason = "llm_timeout"


class LLMUnavailableError(LLMError):
    reason = "llm_unavailable"


class LLMInvalidResponseError(LLMError):
    reason = "llm_invalid_response"


class ChatLLM(Protocol):
    """What the engine needs from a chat model."""

    @property
    def model(self) -> str: ...

    def complete(self, messages: list[ChatMessage], *, json_object: bool = False) -> Completion: ...

    async def acomplete(self, messages: list[ChatMessage], *, json_object: bool = False) -> Completion: ...

    def astream(self, messages: list[ChatMessage]) -> AsyncIterator[str]: ...


class _Choice(BaseModel):
    message: dict[str, Any]
    finish_reason: str | None = None


class _ChatResponse(BaseModel):
    choices: list[_Choice]
    model: str | None = None


_RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class OpenAICompatibleLLM:
    """`POST {base_url}/chat/completions` with timeouts, bounded retries, JSON mode and SSE streaming."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_seconds: float = 20.0,
        max_retries: int = 2,
        temperature: float = 0.0,
        backoff_seconds: float = 0.25,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._model = model
        self._api_key = api_key
        self.timeout_seconds = timeout_seconds
        self.max_retries = max(0, max_retries)
        self.temperature = temperature
        self.backoff_seconds = backoff_seconds

    @classmethod
    def from_settings(cls, settings: LLMSettings) -> OpenAICompatibleLLM:
        if not settings.base_url or not settings.model:
            raise ConfigError("llm.provider = 'openai' needs llm.base_url and llm.model")
        key = settings.api_key.get_secret_value() if settings.api_key is not None else None
        return cls(
            base_url=settings.base_url,
            model=settings.model,
            api_key=key,
            timeout_seconds=settings.timeout_seconds,
            max_retries=settings.max_retries,
            temperature=settings.temperature,
        )

    @property
    def model(self) -> str:
        return self._model

    # -- request building -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _body(self, messages: list[ChatMessage], *, json_object: bool, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [m.model_dump() for m in messages],
            "temperature": self.temperature,
            "stream": stream,
        }
        if json_object:
            body["response_format"] = {"type": "json_object"}
        return body

    def _timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout_seconds, connect=min(self.timeout_seconds, 5.0))

    def _pause(self, attempt: int) -> float:
        return float(min(self.backoff_seconds * (2**attempt), 2.0))

    # -- non-streaming --------------------------------------------------------------------------------------------

    def complete(self, messages: list[ChatMessage], *, json_object: bool = False) -> Completion:
        body = self._body(messages, json_object=json_object, stream=False)
        with httpx.Client(timeout=self._timeout(), headers=self._headers()) as client:
            response = self._send(lambda: client.post(self.url, json=body))
            if response.status_code == 400 and json_object:  # servers without response_format support
                body.pop("response_format", None)
                response = self._send(lambda: client.post(self.url, json=body))
        return self._parse(response)

    async def acomplete(self, messages: list[ChatMessage], *, json_object: bool = False) -> Completion:
        body = self._body(messages, json_object=json_object, stream=False)
        async with httpx.AsyncClient(timeout=self._timeout(), headers=self._headers()) as client:
            response = await self._asend(lambda: client.post(self.url, json=body))
            if response.status_code == 400 and json_object:
                body.pop("response_format", None)
                response = await self._asend(lambda: client.post(self.url, json=body))
        return self._parse(response)

    def _send(self, post: Callable[[], httpx.Response]) -> httpx.Response:
        error: LLMError = LLMUnavailableError("no attempt was made")
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self._pause(attempt - 1))
            try:
                response = post()
            except httpx.HTTPError as exc:
                error = self._transport_error(exc)
                continue
            if response.status_code not in _RETRY_STATUS:
                return response
            error = LLMUnavailableError(f"HTTP {response.status_code} from {self.url}")
        raise error

    async def _asend(self, post: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        error: LLMError = LLMUnavailableError("no attempt was made")
        for attempt in range(self.max_retries + 1):
            if attempt:
                await asyncio.sleep(self._pause(attempt - 1))
            try:
                response = await post()
            except httpx.HTTPError as exc:
                error = self._transport_error(exc)
                continue
            if response.status_code not in _RETRY_STATUS:
                return response
            error = LLMUnavailableError(f"HTTP {response.status_code} from {self.url}")
        raise error

    def _transport_error(self, exc: httpx.HTTPError) -> LLMError:
        if isinstance(exc, httpx.TimeoutException):
            return LLMTimeoutError(f"no answer within {self.timeout_seconds}s ({exc.__class__.__name__})")
        return LLMUnavailableError(f"cannot reach {self.url} ({exc.__class__.__name__}: {exc})")

    def _parse(self, response: httpx.Response) -> Completion:
        if response.status_code >= 400:
            raise LLMUnavailableError(f"HTTP {response.status_code} from {self.url}: {response.text[:200]!r}")
        try:
            parsed = _ChatResponse.model_validate_json(response.content)
            content = parsed.choices[0].message.get("content")
        except (ValidationError, IndexError, ValueError) as exc:
            raise LLMInvalidResponseError(f"not a chat completion: {response.text[:200]!r}") from exc
        if not isinstance(content, str):
            raise LLMInvalidResponseError("the completion has no text content")
        return Completion(
            text=content, model=parsed.model or self._model, finish_reason=parsed.choices[0].finish_reason
        )

    # -- streaming ------------------------------------------------------------------------------------------------

    async def astream(self, messages: list[ChatMessage]) -> AsyncIterator[str]:
        """Text deltas as the endpoint sends them (SSE `data:` lines, ending with `[DONE]`)."""
        body = self._body(messages, json_object=False, stream=True)
        try:
            async with (
                asyncio.timeout(self.timeout_seconds * 2),
                httpx.AsyncClient(timeout=self._timeout(), headers=self._headers()) as client,
                client.stream("POST", self.url, json=body) as response,
            ):
                if response.status_code >= 400:
                    raise LLMUnavailableError(f"HTTP {response.status_code} from {self.url}")
                finished = False
                async for line in response.aiter_lines():
                    content, done = _sse_event(line)
                    finished = finished or done
                    if content:
                        yield content
                    if line.strip() == "data: [DONE]":
                        break
                if not finished:  # a stream cut short is not an answer, however plausible its first half
                    raise LLMInvalidResponseError("the stream ended before [DONE] or a finish_reason")
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise LLMTimeoutError(f"stream stalled after {self.timeout_seconds}s") from exc
        except httpx.HTTPError as exc:
            raise LLMUnavailableError(f"stream from {self.url} broke ({exc.__class__.__name__})") from exc


def _sse_event(line: str) -> tuple[str, bool]:
    """The text of one SSE line and whether it ends the answer ([DONE] or a finish_reason)."""
    if not line.startswith("data:"):
        return "", False
    payload = line[5:].strip()
    if payload == "[DONE]":
        return "", True
    try:
        choice = json.loads(payload)["choices"][0]
        delta = choice.get("delta") or {}
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise LLMInvalidResponseError(f"not an SSE chat chunk: {payload[:120]!r}") from exc
    content = delta.get("content") if isinstance(delta, dict) else None
    return (content if isinstance(content, str) else ""), bool(choice.get("finish_reason"))
