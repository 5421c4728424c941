"""Bad-input table, model side: answers a real server should not give, over real HTTP.

A canned loopback server plays each bad answer to ``OCIModel`` (and through an
``Agent``). See docs/reliability.md for the documented behaviour of each row.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from locus.agent import Agent, ModelTextDelta
from locus.core.errors import ResponseError, StreamError
from locus.core.messages import Message
from locus.emulator import Emulator
from locus.tools import tool
from tests.integration.conftest import OCIModelFactory
from tests.integration.reliability._canned import CannedServer

HI = [Message.user("hi")]


def chat_result(message: dict[str, Any], finish: str = "stop") -> bytes:
    """A GENERIC ChatResult body with one choice."""
    choice = {"index": 0, "message": {"role": "ASSISTANT", **message}, "finishReason": finish}
    response = {"apiFormat": "GENERIC", "timeCreated": "2026-11-27T10:00:00Z", "choices": [choice]}
    return json.dumps({"modelId": "m", "modelVersion": "1", "chatResponse": response}).encode()


def sse(*events: dict[str, Any]) -> list[bytes]:
    """GENERIC stream events as SSE chunks."""
    return [b"data: " + json.dumps(event).encode() + b"\n\n" for event in events]


def delta(**message: Any) -> dict[str, Any]:
    return {"index": 0, "message": {"role": "ASSISTANT", **message}}


def text(value: str) -> dict[str, Any]:
    return delta(content=[{"type": "TEXT", "text": value}])


def finish(reason: str) -> dict[str, Any]:
    return {"index": 0, "message": {"role": "ASSISTANT"}, "finishReason": reason}


STREAM = "text/event-stream"


async def drain(oci_model: OCIModelFactory, url: str) -> list[Any]:
    events = []
    async for event in oci_model(service_endpoint=url).stream(HI):
        events.append(event)
    return events


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


async def test_a_200_whose_body_is_not_json(oci_model: OCIModelFactory) -> None:
    async with CannedServer(b"<html>maintenance</html>", content_type="text/html") as server:
        with pytest.raises(ResponseError, match="is not JSON: b'<html>maintenance") as info:
            await oci_model(service_endpoint=server.url).complete(HI)
    assert server.requests == 1  # a 200 is an answer: not retried
    assert info.value.endpoint == f"{server.url}/20231130/actions/chat"


async def test_a_json_answer_with_a_wrong_content_type_is_read_as_json(
    oci_model: OCIModelFactory,
) -> None:
    body = chat_result({"content": [{"type": "TEXT", "text": "hello"}]})
    async with CannedServer(body, content_type="text/plain") as server:
        response = await oci_model(service_endpoint=server.url).complete(HI)
    assert response.text == "hello"


async def test_a_stream_answered_with_plain_json_is_a_stream_error(
    oci_model: OCIModelFactory,
) -> None:
    body = chat_result({"content": [{"type": "TEXT", "text": "hello"}]})
    async with CannedServer(body, content_type="application/json") as server:
        with pytest.raises(StreamError):
            await drain(oci_model, server.url)


async def test_a_stream_answered_with_plain_json_names_the_content_type(
    oci_model: OCIModelFactory,
) -> None:
    body = chat_result({"content": [{"type": "TEXT", "text": "hello"}]})
    async with CannedServer(body, content_type="application/json") as server:
        with pytest.raises(StreamError, match="application/json"):
            await drain(oci_model, server.url)
    assert server.requests == 1


async def test_a_huge_sse_line_is_refused_not_buffered(oci_model: OCIModelFactory) -> None:
    chunks = [b"data: " + b"x" * (1 << 20)] * 5 + [b"\n\n"]
    async with CannedServer(chunks, content_type=STREAM) as server:
        with pytest.raises(StreamError, match="line is longer than 4194304 characters"):
            await drain(oci_model, server.url)


async def test_a_stream_that_ends_with_no_finish_event(oci_model: OCIModelFactory) -> None:
    async with CannedServer(sse(text("Hel"), text("lo")), content_type=STREAM) as server:
        agent = Agent(oci_model(service_endpoint=server.url))
        with pytest.raises(StreamError, match="ended before the model finished") as info:
            async for _ in agent.run("hi"):
                pass
    assert server.requests == 1  # events had reached the caller: never retried
    result = info.value.result
    assert result.stop_reason == "error" and result.metrics.model_calls == 1


async def test_a_stream_with_no_finish_event_in_arun_is_retried_then_fails(
    oci_model: OCIModelFactory,
) -> None:
    """No caller reads arun's deltas: the call is sent again while the budget lasts."""
    async with CannedServer(sse(text("Hel"), text("lo")), content_type=STREAM) as server:
        agent = Agent(oci_model(service_endpoint=server.url))  # two retries
        with pytest.raises(StreamError, match="ended before the model finished") as info:
            await agent.arun("hi")
    assert server.requests == 3
    result = info.value.result
    assert result.stop_reason == "error" and result.metrics.model_calls == 1


async def test_an_empty_model_reply_ends_the_run_with_empty_text(
    oci_model: OCIModelFactory,
) -> None:
    async with CannedServer(sse(finish("stop")), content_type=STREAM) as server:
        result = await Agent(oci_model(service_endpoint=server.url)).arun("hi")
    assert (result.message, result.stop_reason, result.model_stop_reason) == (
        "",
        "complete",
        "stop",
    )


async def test_a_reply_cut_off_by_length_is_returned_and_flagged(
    oci_model: OCIModelFactory,
) -> None:
    chunks = sse(text("The answer"), text(" is"), finish("length"))
    async with CannedServer(chunks, content_type=STREAM) as server:
        result = await Agent(oci_model(service_endpoint=server.url)).arun("hi")
    assert result.message == "The answer is"
    assert (result.stop_reason, result.model_stop_reason) == ("complete", "length")


async def test_invalid_json_arguments_on_the_wire_reach_the_model_as_an_error(
    oci_model: OCIModelFactory,
) -> None:
    call = {"type": "FUNCTION", "id": "c1", "name": "add", "arguments": '{"a": 1, "b":'}
    chunks = sse(delta(toolCalls=[call]), finish("tool_calls"))
    async with CannedServer(chunks, content_type=STREAM) as server:
        agent = Agent(oci_model(service_endpoint=server.url), [add], max_iterations=1)
        result = await agent.arun("add 1 and 2")
    (answer,) = [m for m in result.messages if m.role == "tool"]
    assert answer.is_error and "were not valid JSON" in answer.text
    assert result.stop_reason == "max_iterations"


async def test_a_message_with_undecodable_text_is_sent_or_refused_typed(
    oci_model: OCIModelFactory,
) -> None:
    name = b"caf\xe9.txt".decode("utf-8", "surrogateescape")
    response = await oci_model().complete([Message.user(f"What is in {name}?")])
    assert "caf" in response.text


async def test_a_broken_text_tool_call_from_a_dac_is_answered_as_a_failed_call(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    """The model meant ``add``: each turn's broken call is answered with an error it reads
    (this server repeats the same broken answer, so the run stops at its iteration limit)."""
    reply = '<tool_call>\n{"name": "add", "arguments": {"a": 1,\n</tool_call>'
    chunks = sse(*[text(reply[i : i + 5]) for i in range(0, len(reply), 5)], finish("stop"))
    async with CannedServer(chunks, content_type=STREAM) as server:
        model = oci_model(emu.endpoint("hermes")["ocid"], service_endpoint=server.url)
        result = await Agent(model, [add], max_iterations=2).arun("add 1 and 2")
    answers = [m for m in result.messages if m.role == "tool"]
    assert len(answers) == 2 and result.metrics.tool_calls == 2
    assert all(a.is_error and "were not valid JSON" in a.text for a in answers)
    assert result.stop_reason == "max_iterations"


async def test_a_broken_bare_json_call_from_a_dac_stays_visible_text(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    """Bare JSON is ambiguous (a model may be showing JSON): not a call unless it parses."""
    reply = '{"name": "add", "parameters": {"a": 1, "b": }}'
    chunks = sse(*[text(reply[i : i + 5]) for i in range(0, len(reply), 5)], finish("stop"))
    async with CannedServer(chunks, content_type=STREAM) as server:
        model = oci_model(emu.endpoint("hermes")["ocid"], service_endpoint=server.url)
        result = await Agent(model, [add]).arun("add 1 and 2")
    assert (result.message, result.metrics.tool_calls) == (reply, 0)
    assert result.stop_reason == "complete"


async def test_an_emoji_cut_between_two_events_arrives_whole(oci_model: OCIModelFactory) -> None:
    # a UTF-16 server (Java) may cut a delta between a character's two halves; json.dumps
    # writes each half as a \uXXXX escape, as such a server does
    chunks = sse(text("Done \ud83d"), text("\ude00 and \ud83d"), finish("stop"))
    async with CannedServer(chunks, content_type=STREAM) as server:
        agent = Agent(oci_model(service_endpoint=server.url))
        deltas = [e.text async for e in agent.run("hi") if isinstance(e, ModelTextDelta)]
        result = await agent.arun("hi")
    assert deltas == ["Done ", "\U0001f600 and "]  # a last half with no partner: U+FFFD
    assert result.message == "Done \U0001f600 and \ufffd"
    result.message.encode("utf-8")  # (raised UnicodeEncodeError: two lone surrogates)
