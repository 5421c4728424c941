"""COHERE (V1) and COHEREV2 formats: mappings the fixtures do not cover."""

from __future__ import annotations

import json

import pytest

from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.params import GenerationParams
from locus.models.providers.oci._formats import ApiFormat, decode_chat_result
from tests.unit.models.helpers import WEATHER, chat_request, chat_result

COHERE = ApiFormat.COHERE
V2 = ApiFormat.COHEREV2


def test_same_tool_twice_in_one_turn_round_trips_with_real_parameters() -> None:
    answer = decode_chat_result(
        chat_result(
            {
                "apiFormat": "COHERE",
                "text": "",
                "finishReason": "COMPLETE",
                "toolCalls": [
                    {"name": "get_weather", "parameters": {"city": "Paris"}},
                    {"name": "get_weather", "parameters": {"city": "Rome"}},
                ],
            }
        )
    )
    first, second = answer.tool_calls
    assert first.id != second.id
    messages = [
        Message.system("Be nice."),
        Message.user("Weather in Paris and Rome?"),
        answer.message,
        Message.tool('{"temp_c": 9}', second.id),
        Message.tool("sunny", first.id),
    ]
    request = chat_request(COHERE, messages, tools=[WEATHER])
    assert request["message"] == ""
    assert request["preambleOverride"] == "Be nice."
    assert request["toolResults"] == [
        {
            "call": {"name": "get_weather", "parameters": {"city": "Rome"}},
            "outputs": [{"temp_c": 9}],
        },
        {
            "call": {"name": "get_weather", "parameters": {"city": "Paris"}},
            "outputs": [{"result": "sunny"}],
        },
    ]
    assert request["chatHistory"][-1] == {
        "role": "CHATBOT",
        "message": " ",
        "toolCalls": [
            {"name": "get_weather", "parameters": {"city": "Paris"}},
            {"name": "get_weather", "parameters": {"city": "Rome"}},
        ],
    }


def test_earlier_tool_results_become_one_tool_history_entry() -> None:
    calls = [
        ToolCall("a", "get_weather", {"city": "X"}),
        ToolCall("b", "get_weather", {"city": "Y"}),
    ]
    messages = [
        Message.user("q"),
        Message.assistant(None, calls),
        Message.tool("[1, 2]", "a"),
        Message.tool('[{"k": 1}]', "b", is_error=False),
        Message.assistant("done"),
        Message.system("later rule"),
        Message.user("thanks"),
    ]
    request = chat_request(COHERE, messages)
    assert request["message"] == "thanks"
    assert "preambleOverride" not in request
    roles = [e["role"] for e in request["chatHistory"]]
    assert roles == ["USER", "CHATBOT", "TOOL", "CHATBOT", "SYSTEM"]
    assert request["chatHistory"][2]["toolResults"] == [
        {
            "call": {"name": "get_weather", "parameters": {"city": "X"}},
            "outputs": [{"result": [1, 2]}],
        },
        {"call": {"name": "get_weather", "parameters": {"city": "Y"}}, "outputs": [{"k": 1}]},
    ]


def test_error_result_and_unknown_call() -> None:
    messages = [Message.user("q"), Message.tool("it broke", "zzz", "get_weather", is_error=True)]
    request = chat_request(COHERE, messages)
    assert request["toolResults"] == [
        {"call": {"name": "get_weather", "parameters": {}}, "outputs": [{"error": "it broke"}]}
    ]


@pytest.mark.parametrize("text", ['{"ratio": NaN}', "[Infinity]", "-Infinity", "NaN"])
def test_a_result_text_holding_nan_stays_text(text: str) -> None:
    """Python's json reads NaN and Infinity as numbers, which JSON has no spelling for: the
    body would hold them (refused by the service, and now by the body encoder). Such a
    result is sent as text, as any result that is not JSON."""
    messages = [Message.user("q"), Message.tool(text, "zzz", "get_weather")]
    request = chat_request(COHERE, messages)
    assert request["toolResults"][0]["outputs"] == [{"result": text}]
    json.dumps(request, allow_nan=False)  # (strict: raises on a NaN number)


def test_parameter_definitions() -> None:
    request = chat_request(COHERE, [Message.user("q")], tools=[WEATHER])
    assert request["tools"] == [
        {
            "name": "get_weather",
            "description": "Get weather",
            "parameterDefinitions": {
                "city": {"description": "City name", "type": "str", "isRequired": True},
                "days": {"type": "int", "isRequired": False},
                "unit": {"description": 'one of: "c", "f"', "type": "str", "isRequired": False},
            },
        }
    ]


def test_cohere_params() -> None:
    params = GenerationParams(max_completion_tokens=50, stop=("x",), seed=1, response_format="text")
    request = chat_request(COHERE, [Message.user("q")], params=params, stream=True)
    assert request == {
        "apiFormat": "COHERE",
        "message": "q",
        "isStream": True,
        "streamOptions": {"isIncludeUsage": True},
        "maxTokens": 50,
        "seed": 1,
        "stopSequences": ["x"],
        "responseFormat": {"type": "TEXT"},
    }


@pytest.mark.parametrize(
    ("messages", "params", "match"),
    [
        ([Message.user("q", images=["data:x"])], GenerationParams(), "cohere_v2"),
        ([Message.user("q")], GenerationParams(tool_choice="required"), "tool_choice"),
        ([Message.user("q")], GenerationParams(reasoning_effort="low"), "reasoning_effort"),
        ([Message.user("q"), Message.assistant("a")], GenerationParams(), "end with a user"),
        ([Message.system("s")], GenerationParams(), "needs a user message"),
    ],
)
def test_cohere_refuses_what_it_cannot_say(
    messages: list[Message], params: GenerationParams, match: str
) -> None:
    with pytest.raises(ConfigurationError, match=match):
        chat_request(COHERE, messages, params=params)


@pytest.mark.parametrize(
    ("raw", "stop"),
    [("MAX_TOKENS", "length"), ("ERROR_TOXIC", "content_filter"), ("ERROR_LIMIT", "length")],
)
def test_cohere_stop_reasons(raw: str, stop: str) -> None:
    body = chat_result({"apiFormat": "COHERE", "text": "x", "finishReason": raw})
    response = decode_chat_result(body)
    assert (response.stop_reason, response.raw_stop_reason) == (stop, raw)


def test_v2_tool_turn_encoding() -> None:
    call = ToolCall("t1", "get_weather", {"city": "Paris"})
    messages = [
        Message.user("q"),
        Message.assistant(None, [call], reasoning="I will call the tool."),
        Message.tool("18C", "t1"),
    ]
    params = GenerationParams(tool_choice="required", reasoning_effort="high", stop=("s",))
    request = chat_request(V2, messages, tools=[WEATHER], params=params)
    assert request["messages"][1:] == [
        {
            "role": "ASSISTANT",
            "content": [],
            "toolPlan": "I will call the tool.",
            "toolCalls": [
                {
                    "id": "t1",
                    "type": "FUNCTION",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "TOOL", "content": [{"type": "TEXT", "text": "18C"}], "toolCallId": "t1"},
    ]
    assert request["toolsChoice"] == "REQUIRED"
    assert request["thinking"] == {"type": "ENABLED"}
    assert request["stopSequences"] == ["s"]


def test_v2_cannot_force_one_tool() -> None:
    with pytest.raises(ConfigurationError, match="cannot force one tool"):
        chat_request(V2, [Message.user("q")], params=GenerationParams(tool_choice="get_weather"))


def test_v2_decode_tool_calls_and_thinking() -> None:
    body = chat_result(
        {
            "apiFormat": "COHEREV2",
            "id": "x",
            "message": {
                "role": "ASSISTANT",
                "content": [{"type": "THINKING", "thinking": "ponder"}],
                "toolPlan": "plan",
                "toolCalls": [
                    {
                        "id": "t1",
                        "type": "FUNCTION",
                        "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                    }
                ],
            },
            "finishReason": "TOOL_CALL",
        }
    )
    response = decode_chat_result(body)
    assert response.tool_calls == [ToolCall("t1", "get_weather", {"city": "Oslo"})]
    assert response.message.reasoning == "ponder"
    assert response.message.content is None
    assert response.stop_reason == "tool_calls"
