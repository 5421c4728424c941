"""The official oci SDK drives GENERIC chats (on-demand and DAC, chat() and streaming)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from locus.emulator import Emulator

from ._helpers import (
    MODELS,
    SEED_PROMPT,
    add_tool,
    dedicated,
    details,
    events,
    on_demand,
    sdk_client,
    user_text,
)


def _generic(*messages: object, **fields: object) -> Any:
    return MODELS.GenericChatRequest(messages=list(messages), **fields)


def test_on_demand_chat_answers_identity_with_model_name(oci_emulator: Emulator) -> None:
    request = _generic(user_text("In one sentence, what model are you?"), max_tokens=64)
    response = sdk_client(oci_emulator).chat(
        details(oci_emulator, on_demand("meta.llama-3.3-70b-instruct"), request)
    )
    result = response.data
    assert isinstance(result, MODELS.ChatResult)
    choice = result.chat_response.choices[0]
    assert "meta.llama-3.3-70b-instruct" in choice.message.content[0].text
    assert choice.finish_reason == "stop"
    assert isinstance(result.chat_response.time_created, datetime)
    assert result.chat_response.usage.prompt_tokens == 7
    assert response.headers["content-type"] == "application/json"
    assert re.fullmatch(r"[0-9A-F]{32}/[0-9A-F]{32}", response.request_id)


def test_stream_counts_in_several_deltas_then_finish_and_usage(oci_emulator: Emulator) -> None:
    request = _generic(
        user_text("Count from 1 to 5, separated by commas."),
        is_stream=True,
        stream_options=MODELS.StreamOptions(is_include_usage=True),
    )
    response = sdk_client(oci_emulator).chat(
        details(oci_emulator, on_demand("xai.grok-4"), request)
    )
    assert response.headers["content-type"] == "text/event-stream"
    received = events(response)
    text_events = [e for e in received if "message" in e and "finishReason" not in e]
    assert len(text_events) >= 3
    assert "".join(e["message"]["content"][0]["text"] for e in text_events) == "1, 2, 3, 4, 5"
    finish = [e for e in received if "finishReason" in e]
    assert len(finish) == 1 and finish[0]["finishReason"] == "stop"
    assert received[-1]["usage"]["totalTokens"] == (
        received[-1]["usage"]["promptTokens"] + received[-1]["usage"]["completionTokens"]
    )


def test_dac_native_tool_call_is_structured(oci_emulator: Emulator) -> None:
    endpoint = oci_emulator.endpoint("native")
    request = _generic(user_text(SEED_PROMPT), tools=[add_tool()])
    result = (
        sdk_client(oci_emulator)
        .chat(details(oci_emulator, dedicated(endpoint["ocid"]), request))
        .data
    )
    choice = result.chat_response.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.name == "add_two_numbers"
    assert json.loads(call.arguments) == {"a": 7, "b": 35}
    assert call.id.startswith("call_")


def test_dac_native_tool_call_streams_argument_fragments(oci_emulator: Emulator) -> None:
    endpoint = oci_emulator.endpoint("native")
    request = _generic(user_text(SEED_PROMPT), tools=[add_tool()], is_stream=True)
    received = events(
        sdk_client(oci_emulator).chat(details(oci_emulator, dedicated(endpoint["ocid"]), request))
    )
    calls = [e["message"]["toolCalls"][0] for e in received if "toolCalls" in e["message"]]
    assert calls[0]["name"] == "add_two_numbers" and calls[0]["arguments"] == ""
    assert "id" in calls[0] and all("id" not in c for c in calls[1:])
    assert len(calls) >= 3
    assert json.loads("".join(c["arguments"] for c in calls)) == {"a": 7, "b": 35}
    assert received[-1]["finishReason"] == "tool_calls"


def _dac_text(emu: Emulator, style: str, stream: bool = False) -> str:
    endpoint = emu.endpoint(style)
    request = _generic(user_text(SEED_PROMPT), tools=[add_tool()], is_stream=stream)
    response = sdk_client(emu).chat(details(emu, dedicated(endpoint["ocid"]), request))
    if stream:
        return "".join(
            part["text"] for e in events(response) for part in e["message"].get("content", [])
        )
    choice = response.data.chat_response.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.tool_calls is None
    return str(choice.message.content[0].text)


def test_dac_hermes_tool_call_comes_back_as_text(oci_emulator: Emulator) -> None:
    text = _dac_text(oci_emulator, "hermes")
    body = re.fullmatch(r"<tool_call>\n(.*)\n</tool_call>", text, re.DOTALL)
    assert body is not None
    assert json.loads(body.group(1)) == {"name": "add_two_numbers", "arguments": {"a": 7, "b": 35}}


def test_dac_hermes_tool_call_streams_as_text(oci_emulator: Emulator) -> None:
    text = _dac_text(oci_emulator, "hermes", stream=True)
    assert text.startswith("<tool_call>") and text.endswith("</tool_call>")


def test_dac_qwen3_coder_tool_call_is_xml(oci_emulator: Emulator) -> None:
    text = _dac_text(oci_emulator, "qwen3_coder")
    assert text == (
        "<tool_call>\n<function=add_two_numbers>\n<parameter=a>\n7\n</parameter>\n"
        "<parameter=b>\n35\n</parameter>\n</function>\n</tool_call>"
    )


def test_dac_llama_json_tool_call_is_the_whole_content(oci_emulator: Emulator) -> None:
    text = _dac_text(oci_emulator, "llama_json")
    assert json.loads(text) == {"name": "add_two_numbers", "parameters": {"a": 7, "b": 35}}


def test_after_tool_result_the_answer_states_it(oci_emulator: Emulator) -> None:
    endpoint = oci_emulator.endpoint("native")
    call = MODELS.FunctionCall(id="call_1", name="add_two_numbers", arguments='{"a": 7, "b": 35}')
    request = _generic(
        user_text(SEED_PROMPT),
        MODELS.AssistantMessage(tool_calls=[call]),
        MODELS.ToolMessage(tool_call_id="call_1", content=[MODELS.TextContent(text="42")]),
        tools=[add_tool()],
    )
    result = (
        sdk_client(oci_emulator)
        .chat(details(oci_emulator, dedicated(endpoint["ocid"]), request))
        .data
    )
    choice = result.chat_response.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.content[0].text == "The result of add_two_numbers is 42."


def test_max_tokens_cuts_the_answer_with_length(oci_emulator: Emulator) -> None:
    request = _generic(user_text("Count from 1 to 50, separated by commas."), max_tokens=3)
    result = (
        sdk_client(oci_emulator)
        .chat(details(oci_emulator, on_demand("openai.gpt-oss-120b"), request))
        .data
    )
    choice = result.chat_response.choices[0]
    assert choice.message.content[0].text == "1, 2, 3,"
    assert choice.finish_reason == "length"


def test_hermes_tool_response_in_user_text_is_answered(oci_emulator: Emulator) -> None:
    endpoint = oci_emulator.endpoint("hermes")
    request = _generic(
        user_text(SEED_PROMPT),
        MODELS.AssistantMessage(
            content=[MODELS.TextContent(text=_dac_text(oci_emulator, "hermes"))]
        ),
        user_text("<tool_response>\n42\n</tool_response>"),
        tools=[add_tool()],
    )
    result = (
        sdk_client(oci_emulator)
        .chat(details(oci_emulator, dedicated(endpoint["ocid"]), request))
        .data
    )
    assert result.chat_response.choices[0].message.content[0].text == "The result is 42."


def test_tool_choice_none_answers_in_text(oci_emulator: Emulator) -> None:
    request = _generic(
        user_text(SEED_PROMPT), tools=[add_tool()], tool_choice=MODELS.ToolChoiceNone()
    )
    result = (
        sdk_client(oci_emulator).chat(details(oci_emulator, on_demand("xai.grok-4"), request)).data
    )
    choice = result.chat_response.choices[0]
    assert choice.finish_reason == "stop" and choice.message.tool_calls is None


def test_json_schema_response_format_gives_schema_shaped_json(oci_emulator: Emulator) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
    }
    request = _generic(
        user_text("Give the biggest city of France, Paris, and its population 2100000."),
        response_format=MODELS.JsonSchemaResponseFormat(
            json_schema=MODELS.ResponseJsonSchema(name="city", schema=schema)
        ),
    )
    result = (
        sdk_client(oci_emulator)
        .chat(details(oci_emulator, on_demand("openai.gpt-oss-120b"), request))
        .data
    )
    text = result.chat_response.choices[0].message.content[0].text
    assert json.loads(text) == {"city": "France", "population": 2100000}


def test_reasoning_effort_adds_reasoning_content(oci_emulator: Emulator) -> None:
    request = _generic(user_text("What model are you?"), reasoning_effort="LOW")
    client = sdk_client(oci_emulator)
    serving = on_demand("openai.gpt-oss-120b")
    result = client.chat(details(oci_emulator, serving, request)).data.chat_response
    message = result.choices[0].message
    assert message.reasoning_content.startswith("The user asked")
    assert result.usage.completion_tokens_details.reasoning_tokens > 0
    request.is_stream = True
    received = events(client.chat(details(oci_emulator, serving, request)))
    assert "reasoningContent" in received[0]["message"]
    first_text = next(i for i, e in enumerate(received) if "content" in e["message"])
    assert all("reasoningContent" in e["message"] for e in received[:first_text])
