"""Tool-call argument parsing and the joining of streamed fragments."""

from __future__ import annotations

import pytest

from locus.core.messages import Message, ToolCall
from locus.core.params import GenerationParams
from locus.models._openai import encode_openai_chat
from locus.models._wire.arguments import (
    dump_arguments,
    parse_arguments,
    tool_call,
    wire_arguments,
)
from locus.models._wire.assembler import ToolCallAssembler
from locus.models.providers.oci._formats import ApiFormat, encode_chat_details


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"city": "Paris"}', ({"city": "Paris"}, None)),
        ({"city": "Paris"}, ({"city": "Paris"}, None)),
        ("", ({}, None)),
        ("   ", ({}, None)),
        (None, ({}, None)),
        ("null", ({}, None)),
        ('"{\\"city\\": \\"Paris\\"}"', ({"city": "Paris"}, None)),  # double-encoded
        ('{"city": "Par', ({}, '{"city": "Par')),
        ("[1, 2]", ({}, "[1, 2]")),
        ("42", ({}, "42")),
        (42, ({}, "42")),
    ],
)
def test_parse_arguments(raw: object, expected: tuple[dict[str, object], str | None]) -> None:
    assert parse_arguments(raw) == expected


def test_text_that_is_not_an_object_goes_back_as_an_empty_object() -> None:
    """Providers refuse a history whose call arguments are not a JSON object (the emulator
    answers 400 as a validating server does); the call's error result quotes the text."""
    call = tool_call("c", "f", '{"x": 1,')
    assert (call.arguments, call.raw_arguments) == ({}, '{"x": 1,')
    assert wire_arguments(call) == "{}"
    assert wire_arguments(tool_call("c", "f", '{"x":1}')) == '{"x": 1}'


def test_dump_arguments_uses_the_sdk_layout() -> None:
    assert dump_arguments({"city": "Paris"}) == '{"city": "Paris"}'


def test_gpt_oss_pattern_id_then_idless_fragments() -> None:
    calls = ToolCallAssembler()
    calls.add(0, "call_A", "get_weather", "")
    calls.add(0, None, None, '{"city": ')
    calls.add(0, None, None, '"Paris"}')
    calls.add(0, "call_B", "get_time", "")  # next parallel call, same position
    calls.add(0, None, None, '{"tz": "CET"}')
    assert calls.calls() == [
        ToolCall("call_A", "get_weather", {"city": "Paris"}),
        ToolCall("call_B", "get_time", {"tz": "CET"}),
    ]


def test_grok_reannounced_ids_continue_or_replace() -> None:
    calls = ToolCallAssembler()
    for call_id, name, arguments in [
        ("c1", "get_weather", '{"city": '),
        ("c2", "get_time", '{"tz": "CET"}'),
        ("c1", None, '"Paris"}'),  # continues c1
        ("c2", "get_time", '{"tz": "CET"}'),  # whole call re-announced
    ]:
        calls.next_event()
        calls.add(0, call_id, name, arguments)
    assert calls.calls() == [
        ToolCall("c1", "get_weather", {"city": "Paris"}),
        ToolCall("c2", "get_time", {"tz": "CET"}),
    ]


def test_gemini_without_ids_gets_unique_ids() -> None:
    calls = ToolCallAssembler()
    calls.add(0, None, "get_weather", '{"city": "Paris"}')
    calls.add(0, None, "get_weather", '{"city": "Rome"}')  # a new whole call
    calls.add(1, None, "get_time", "{}")
    result = calls.calls()
    assert [(c.name, c.arguments) for c in result] == [
        ("get_weather", {"city": "Paris"}),
        ("get_weather", {"city": "Rome"}),
        ("get_time", {}),
    ]
    assert len({c.id for c in result}) == 3


def test_synthesised_ids_never_clash_with_real_ones() -> None:
    calls = ToolCallAssembler()
    calls.add(0, "call_1", "a", "{}")
    calls.add(1, None, "b", "{}")
    ids = [c.id for c in calls.calls()]
    assert ids[0] == "call_1" and ids[1] != "call_1"


def test_openai_index_pattern() -> None:
    calls = ToolCallAssembler()
    calls.add(0, "a", "f", "")
    calls.add(1, "b", "g", "")
    calls.add(0, None, None, '{"x": 1}')
    calls.add(1, None, None, '{"y": 2}')
    assert calls.calls() == [ToolCall("a", "f", {"x": 1}), ToolCall("b", "g", {"y": 2})]


def test_invalid_streamed_arguments_are_kept_raw() -> None:
    calls = ToolCallAssembler()
    calls.add(0, "a", "f", '{"x": ')
    assert calls.calls() == [ToolCall("a", "f", {}, raw_arguments='{"x": ')]


@pytest.mark.parametrize("api_format", ["GENERIC", "COHEREV2", "openai"])
def test_every_codec_sends_unreadable_arguments_back_as_an_empty_object(api_format: str) -> None:
    call = tool_call("c1", "add", '{"a": 1,')
    messages = [
        Message.user("add"),
        Message.assistant(None, [call]),
        Message.tool("error", "c1", "add"),
    ]
    if api_format == "openai":
        body = encode_openai_chat(
            model="m", messages=messages, tools=[], params=GenerationParams(), stream=False
        )
        sent = body["messages"][1]["tool_calls"][0]["function"]["arguments"]
    else:
        request = encode_chat_details(
            compartment_id="c",
            serving_mode={"servingType": "ON_DEMAND", "modelId": "m"},
            api_format=ApiFormat(api_format),
            messages=messages,
            tools=[],
            params=GenerationParams(),
            stream=False,
        )["chatRequest"]
        wire_call = request["messages"][1]["toolCalls"][0]
        sent = wire_call.get("arguments") or wire_call["function"]["arguments"]
    assert sent == "{}"
