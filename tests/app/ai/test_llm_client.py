"""The OpenAI-compatible client over real HTTP to the local fake endpoint: success, retries, timeouts, garbage."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from app.ai.llm import (
    ChatMessage,
    LLMInvalidResponseError,
    LLMTimeoutError,
    LLMUnavailableError,
    OpenAICompatibleLLM,
)
from app.config import ConfigError, LLMSettings
from tests.support.fake_openai import FakeOpenAI, Reply

MESSAGES = [ChatMessage(role="system", content="be brief"), ChatMessage(role="user", content="hello")]


def client(fake: FakeOpenAI, **overrides: object) -> OpenAICompatibleLLM:
    options: dict[str, object] = {"timeout_seconds": 2.0, "max_retries": 2, "backoff_seconds": 0.01}
    options.update(overrides)
    return OpenAICompatibleLLM(base_url=fake.base_url, model="fake-model", api_key="sk-local-key-123", **options)  # type: ignore[arg-type]


def test_a_completion_is_returned_and_the_request_is_well_formed(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.text("Hello there."))
    completion = client(fake_llm).complete(MESSAGES)
    assert completion.text == "Hello there."
    (request,) = fake_llm.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-local-key-123"
    assert request.body["model"] == "fake-model"
    assert request.body["messages"] == [m.model_dump() for m in MESSAGES]
    assert request.body["stream"] is False
    assert "response_format" not in request.body


def test_json_mode_asks_for_a_json_object_and_degrades_on_400(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.error(400), Reply.text('{"ok": true}'))
    completion = client(fake_llm).complete(MESSAGES, json_object=True)
    assert completion.text == '{"ok": true}'
    first, second = fake_llm.requests
    assert first.body["response_format"] == {"type": "json_object"}
    assert "response_format" not in second.body


def test_server_errors_are_retried_a_bounded_number_of_times(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.error(503), Reply.text("recovered"))
    assert client(fake_llm).complete(MESSAGES).text == "recovered"
    fake_llm.script(Reply.error(500), Reply.error(502), Reply.error(500), Reply.text("never reached"))
    with pytest.raises(LLMUnavailableError, match="HTTP 500"):
        client(fake_llm, max_retries=2).complete(MESSAGES)
    assert len(fake_llm.requests) == 2 + 3


def test_a_client_error_is_not_retried(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.error(401))
    with pytest.raises(LLMUnavailableError, match="401"):
        client(fake_llm).complete(MESSAGES)
    assert len(fake_llm.requests) == 1


def test_garbage_is_an_invalid_response(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.garbage())
    with pytest.raises(LLMInvalidResponseError):
        client(fake_llm).complete(MESSAGES)
    fake_llm.script(Reply.garbage('{"choices": []}'))
    with pytest.raises(LLMInvalidResponseError):
        client(fake_llm).complete(MESSAGES)


def test_a_slow_endpoint_times_out(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.slow(2.0), Reply.slow(2.0))
    with pytest.raises(LLMTimeoutError):
        client(fake_llm, timeout_seconds=0.3, max_retries=1).complete(MESSAGES)


def test_a_dropped_connection_is_unavailable(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.drop(), Reply.drop(), Reply.drop())
    with pytest.raises(LLMUnavailableError):
        client(fake_llm).complete(MESSAGES)


def test_an_endpoint_that_is_down_is_unavailable() -> None:
    with FakeOpenAI() as fake:
        llm = client(fake, max_retries=1)
    with pytest.raises(LLMUnavailableError, match="cannot reach"):
        llm.complete(MESSAGES)


async def test_async_completion(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.error(500), Reply.text("async hello"))
    assert (await client(fake_llm).acomplete(MESSAGES)).text == "async hello"


async def test_streaming_yields_the_deltas(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.stream("Your start date is March 8, 2027.", chunk_size=5))
    chunks = [c async for c in client(fake_llm).astream(MESSAGES)]
    assert len(chunks) > 3
    assert "".join(chunks) == "Your start date is March 8, 2027."
    assert fake_llm.requests[0].body["stream"] is True


async def test_a_stream_cut_short_is_an_error(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.drop_mid_stream("Your salary is $172,000 and you also get a sign-on bonus of $20,000."))
    with pytest.raises((LLMInvalidResponseError, LLMUnavailableError)):
        _ = [c async for c in client(fake_llm).astream(MESSAGES)]


async def test_a_garbage_stream_is_an_error(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.garbage("data: {not json}\n\n"))
    with pytest.raises(LLMInvalidResponseError):
        _ = [c async for c in client(fake_llm).astream(MESSAGES)]


def test_settings_need_a_base_url_and_a_model() -> None:
    with pytest.raises(ConfigError, match="base_url"):
        OpenAICompatibleLLM.from_settings(LLMSettings(provider="openai"))
    llm = OpenAICompatibleLLM.from_settings(
        LLMSettings(provider="openai", base_url="http://127.0.0.1:9/v1/", model="m", api_key=SecretStr("k" * 12))
    )
    assert llm.url == "http://127.0.0.1:9/v1/chat/completions"
    assert llm.model == "m"
