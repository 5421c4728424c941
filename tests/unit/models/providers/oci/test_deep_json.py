"""JSON nested too deeply (1,000 levels in a 2 kB body) is a typed error naming the
endpoint, never a raw ``RecursionError``, on every path that decodes server JSON."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from locus.agent import Agent
from locus.core.errors import ResponseError, StreamError
from locus.core.messages import Message
from locus.models._wire.sse import ServerSentEvent, json_payload
from tests.unit.models.providers.oci.http_helpers import HOST, Handler, make_model

DEEP = b'{"a": ' + b"[" * 1000 + b"]" * 1000 + b"}"


def answer(content: bytes, *, content_type: str = "application/json") -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers={"content-type": content_type})

    return handler


def deep_stream() -> Handler:
    return answer(b"data: " + DEEP + b"\n\n", content_type="text/event-stream")


async def test_complete_says_the_answer_is_nested_too_deeply(oci_dir: Path) -> None:
    model = make_model(oci_dir, answer(DEEP))
    with pytest.raises(ResponseError, match="nested too deeply") as caught:
        await model.complete([Message.user("hi")])
    assert caught.value.endpoint == model.endpoint and HOST in str(caught.value)


async def test_stream_says_the_event_is_nested_too_deeply(oci_dir: Path) -> None:
    model = make_model(oci_dir, deep_stream())
    with pytest.raises(StreamError, match="nested too deeply") as caught:
        async for _ in model.stream([Message.user("hi")]):
            pass
    assert caught.value.endpoint == model.endpoint and HOST in str(caught.value)


async def test_an_agent_run_fails_with_the_typed_error(oci_dir: Path) -> None:
    agent = Agent(model=make_model(oci_dir, deep_stream()))
    with pytest.raises(StreamError, match="nested too deeply"):
        await agent.arun("hi")


def test_a_stream_event_names_its_endpoint_when_told() -> None:
    event = ServerSentEvent("message", DEEP.decode(), None, None)
    with pytest.raises(StreamError, match="from https://h/chat is JSON nested too deeply") as e:
        json_payload(event, endpoint="https://h/chat")
    assert e.value.endpoint == "https://h/chat"
