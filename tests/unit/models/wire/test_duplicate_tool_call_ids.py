"""Calls that reuse one id: a stream holds the same calls as the whole answer.

Three calls with the id ``dup`` and different arguments used to be merged into one
run tool by ``stream()`` while ``complete()`` returned three. The rule is in
docs/reliability.md ("Streamed tool calls").
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from locus.core.messages import ToolCall
from locus.models._openai import OpenAIStreamDecoder, decode_openai_chat
from locus.models.providers.oci._formats import ApiFormat, ChatStreamDecoder, decode_chat_result
from tests.unit.models.helpers import chat_result

ARGS = [{"city": "Paris"}, {"city": "Rome"}, {"city": "Oslo"}]
EXPECTED = [ToolCall("dup", "weather", a) for a in ARGS]


def streamed(decoder: OpenAIStreamDecoder | ChatStreamDecoder, events: list[Any]) -> list[ToolCall]:
    for event in events:
        decoder.feed(event)
    return decoder.close().tool_calls


# -- OpenAI chat completions: the ``index`` tells calls apart ---------------------------
def openai_chunk(*calls: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    delta = {"tool_calls": list(calls)} if calls else {}
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def openai_fragment(index: int, arguments: str, *, first: bool) -> dict[str, Any]:
    function: dict[str, Any] = {"arguments": arguments}
    if first:
        function["name"] = "weather"
    fragment: dict[str, Any] = {"index": index, "function": function}
    return {**fragment, "id": "dup", "type": "function"} if first else fragment


def test_openai_whole_answer_keeps_three_calls() -> None:
    wire = [
        {
            "id": "dup",
            "type": "function",
            "function": {"name": "weather", "arguments": json.dumps(a)},
        }
        for a in ARGS
    ]
    body = {"choices": [{"message": {"tool_calls": wire}, "finish_reason": "tool_calls"}]}
    assert decode_openai_chat(body).message.tool_calls == EXPECTED


def test_openai_stream_tells_calls_apart_by_index() -> None:
    chunks = []
    for index, arguments in enumerate(ARGS):
        text = json.dumps(arguments)
        chunks.append(openai_chunk(openai_fragment(index, "", first=True)))
        chunks.append(openai_chunk(openai_fragment(index, text[:5], first=False)))
        chunks.append(openai_chunk(openai_fragment(index, text[5:], first=False)))
    chunks.append(openai_chunk(finish="tool_calls"))
    assert streamed(OpenAIStreamDecoder(), chunks) == EXPECTED


def test_openai_stream_of_whole_calls_at_one_index_keeps_them_all() -> None:
    # a server that puts every call at index 0 and reuses the id
    chunks = [
        openai_chunk(
            {"index": 0, "id": "dup", "function": {"name": "weather", "arguments": json.dumps(a)}}
        )
        for a in ARGS
    ]
    chunks.append(openai_chunk(finish="tool_calls"))
    assert streamed(OpenAIStreamDecoder(), chunks) == EXPECTED


def test_openai_stream_with_the_id_on_every_fragment_is_one_call() -> None:
    fragments = ['{"city"', ': "Par', 'is"}']
    chunks = [
        openai_chunk({"index": 0, "id": "dup", "function": {"name": "weather", "arguments": f}})
        for f in fragments
    ]
    chunks.append(openai_chunk(finish="tool_calls"))
    assert streamed(OpenAIStreamDecoder(), chunks) == EXPECTED[:1]


# -- OCI GENERIC and COHEREV2: position in the array, whole calls ----------------------
def oci_event(fmt: ApiFormat, *calls: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"index": 0, "message": {"role": "ASSISTANT"}}
    if fmt is ApiFormat.COHEREV2:
        event["apiFormat"] = "COHEREV2"
    if calls:
        event["message"]["toolCalls"] = list(calls)
    if finish:
        event["finishReason"] = finish
    return event


def oci_call(
    fmt: ApiFormat, arguments: str, *, call_id: str | None = "dup", named: bool = True
) -> dict[str, Any]:
    function = {"name": "weather", "arguments": arguments} if named else {"arguments": arguments}
    call: dict[str, Any] = {"type": "FUNCTION"}
    if call_id:
        call["id"] = call_id
    return {**call, "function": function} if fmt is ApiFormat.COHEREV2 else {**call, **function}


def oci_whole_answer(fmt: ApiFormat) -> list[ToolCall]:
    message = {"role": "ASSISTANT", "toolCalls": [oci_call(fmt, json.dumps(a)) for a in ARGS]}
    response: dict[str, Any]
    if fmt is ApiFormat.GENERIC:
        choice = {"index": 0, "message": message, "finishReason": "tool_calls"}
        response = {"apiFormat": "GENERIC", "choices": [choice]}
    else:
        response = {"apiFormat": "COHEREV2", "message": message, "finishReason": "TOOL_CALL"}
    return decode_chat_result(chat_result(response)).message.tool_calls


FORMATS = [ApiFormat.GENERIC, ApiFormat.COHEREV2]


@pytest.mark.parametrize("fmt", FORMATS)
def test_oci_whole_answer_keeps_three_calls(fmt: ApiFormat) -> None:
    assert oci_whole_answer(fmt) == EXPECTED


@pytest.mark.parametrize("fmt", FORMATS)
def test_oci_stream_of_three_whole_calls_in_one_event(fmt: ApiFormat) -> None:
    events = [
        oci_event(fmt, *[oci_call(fmt, json.dumps(a)) for a in ARGS]),
        oci_event(fmt, finish="tool_calls"),
    ]
    assert streamed(ChatStreamDecoder(fmt), events) == oci_whole_answer(fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_oci_stream_of_whole_calls_one_per_event(fmt: ApiFormat) -> None:
    events = [oci_event(fmt, oci_call(fmt, json.dumps(a))) for a in ARGS]
    events.append(oci_event(fmt, finish="tool_calls"))
    assert streamed(ChatStreamDecoder(fmt), events) == oci_whole_answer(fmt)


@pytest.mark.parametrize("named", [False, True])
@pytest.mark.parametrize("fmt", FORMATS)
def test_oci_stream_of_announced_calls_with_idless_fragments(fmt: ApiFormat, named: bool) -> None:
    # gpt-oss: (id, name, "") then id-less argument pieces, one call after another
    events = []
    for arguments in ARGS:
        text = json.dumps(arguments)
        events.append(oci_event(fmt, oci_call(fmt, "")))
        events.append(oci_event(fmt, oci_call(fmt, text[:4], call_id=None, named=named)))
        events.append(oci_event(fmt, oci_call(fmt, text[4:], call_id=None, named=named)))
    events.append(oci_event(fmt, finish="tool_calls"))
    assert streamed(ChatStreamDecoder(fmt), events) == oci_whole_answer(fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_oci_reannounced_call_is_kept_once(fmt: ApiFormat) -> None:
    whole = json.dumps(ARGS[0])
    events = [oci_event(fmt, oci_call(fmt, whole)), oci_event(fmt, oci_call(fmt, whole))]
    events.append(oci_event(fmt, finish="tool_calls"))
    assert streamed(ChatStreamDecoder(fmt), events) == EXPECTED[:1]


def test_cohere_v1_calls_carry_no_ids_and_all_are_kept() -> None:
    calls = [{"name": "weather", "parameters": a} for a in ARGS]
    events = [
        {"apiFormat": "COHERE", "text": ""},
        {"apiFormat": "COHERE", "text": "", "finishReason": "COMPLETE", "toolCalls": calls},
    ]
    result = streamed(ChatStreamDecoder(ApiFormat.COHERE), events)
    assert [(c.name, c.arguments) for c in result] == [("weather", a) for a in ARGS]
    assert len({c.id for c in result}) == 3
