"""GENERIC format: mappings the fixtures do not cover."""

from __future__ import annotations

import pytest

from locus.core.errors import ConfigurationError, ResponseError
from locus.core.messages import ImagePart, Message, ToolCall
from locus.core.params import GenerationParams
from locus.models.providers.oci._formats import ApiFormat, decode_chat_result
from tests.unit.models.helpers import WEATHER, chat_request, chat_result

GENERIC = ApiFormat.GENERIC


def test_assistant_with_text_tool_calls_and_reasoning() -> None:
    call = ToolCall("c1", "get_weather", {"city": "Zürich"})
    request = chat_request(GENERIC, [Message.assistant("Looking.", [call], reasoning="think")])
    assert request["messages"] == [
        {
            "role": "ASSISTANT",
            "content": [{"type": "TEXT", "text": "Looking."}],
            "toolCalls": [
                {
                    "id": "c1",
                    "type": "FUNCTION",
                    "name": "get_weather",
                    "arguments": '{"city": "Z\\u00fcrich"}',
                }
            ],
            "reasoningContent": "think",
        }
    ]


def test_image_only_user_message_and_detail() -> None:
    message = Message.user("", images=[ImagePart("https://x/y.png", "low")])
    request = chat_request(GENERIC, [message])
    assert request["messages"][0]["content"] == [
        {"type": "IMAGE", "imageUrl": {"url": "https://x/y.png", "detail": "LOW"}}
    ]


def test_tool_message_needs_its_call_id() -> None:
    with pytest.raises(ConfigurationError, match="tool_call_id"):
        chat_request(GENERIC, [Message(role="tool", content="x")])


def test_every_parameter_reaches_the_request() -> None:
    params = GenerationParams(
        max_tokens=10,
        max_completion_tokens=20,
        temperature=0.5,
        top_p=0.8,
        top_k=5,
        frequency_penalty=0.1,
        presence_penalty=0.2,
        stop=("END",),
        seed=7,
        tool_choice="required",
        parallel_tool_calls=False,
        response_format="json_object",
        reasoning_effort="high",
        extra={"serviceTier": "PRIORITY", "maxTokens": 11},
    )
    request = chat_request(GENERIC, [Message.user("hi")], params=params, stream=True)
    assert request == {
        "apiFormat": "GENERIC",
        "messages": [{"role": "USER", "content": [{"type": "TEXT", "text": "hi"}]}],
        "isStream": True,
        "streamOptions": {"isIncludeUsage": True},
        "maxTokens": 11,
        "maxCompletionTokens": 20,
        "temperature": 0.5,
        "topP": 0.8,
        "topK": 5,
        "frequencyPenalty": 0.1,
        "presencePenalty": 0.2,
        "stop": ["END"],
        "seed": 7,
        "toolChoice": {"type": "REQUIRED"},
        "isParallelToolCalls": False,
        "responseFormat": {"type": "JSON_OBJECT"},
        "reasoningEffort": "HIGH",
        "serviceTier": "PRIORITY",
    }


def test_tool_schemas_are_simplified() -> None:
    tool = WEATHER.__class__(
        "f",
        "",
        {
            "type": "object",
            "title": "F",
            "properties": {"a": {"$ref": "#/$defs/A"}},
            "$defs": {"A": {"type": "string"}},
        },
    )
    request = chat_request(GENERIC, [Message.user("hi")], tools=[tool])
    assert request["tools"] == [
        {
            "type": "FUNCTION",
            "name": "f",
            "parameters": {"type": "object", "properties": {"a": {"type": "string"}}},
        }
    ]


def test_bad_response_format() -> None:
    with pytest.raises(ConfigurationError, match="response_format"):
        chat_request(GENERIC, [Message.user("hi")], params=GenerationParams(response_format="x"))  # type: ignore[arg-type]


def _generic(choice: dict[str, object], **extra: object) -> dict[str, object]:
    return chat_result({"apiFormat": "GENERIC", "timeCreated": "t", "choices": [choice], **extra})


def test_reasoning_model_without_message() -> None:
    body = _generic(
        {"index": 0, "finishReason": "length"},
        usage={
            "promptTokens": 5,
            "totalTokens": 105,
            "completionTokensDetails": {"reasoningTokens": 100},
        },
    )
    response = decode_chat_result(body)
    assert response.message.content is None
    assert response.stop_reason == "length"
    assert response.usage == {"prompt_tokens": 5, "total_tokens": 105, "reasoning_tokens": 100}


def test_gemini_calls_without_ids_and_invalid_arguments() -> None:
    message = {
        "role": "ASSISTANT",
        "reasoningContent": "hmm",
        "toolCalls": [
            {"type": "FUNCTION", "name": "get_weather", "arguments": '{"city": "Paris"}'},
            {"type": "FUNCTION", "name": "get_weather", "arguments": "{oops"},
        ],
    }
    response = decode_chat_result(_generic({"message": message, "finishReason": "STOP"}))
    assert response.tool_calls == [
        ToolCall("call_0", "get_weather", {"city": "Paris"}),
        ToolCall("call_1", "get_weather", {}, raw_arguments="{oops"),
    ]
    assert response.message.reasoning == "hmm"
    assert response.stop_reason == "tool_calls"
    assert response.raw_stop_reason == "STOP"


def test_cached_tokens_and_unknown_stop_reason() -> None:
    body = _generic(
        {
            "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "x"}]},
            "finishReason": "weird",
        },
        usage={
            "promptTokens": 3,
            "completionTokens": 1,
            "promptTokensDetails": {"cachedTokens": 2},
        },
    )
    response = decode_chat_result(body)
    assert response.usage == {
        "prompt_tokens": 3,
        "completion_tokens": 1,
        "total_tokens": 4,
        "cached_tokens": 2,
    }
    assert response.stop_reason is None and response.raw_stop_reason == "weird"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "JSON object"),
        ({"modelId": "m"}, "no chatResponse"),
        (chat_result({"apiFormat": "LLAMA"}), "unknown chatResponse.apiFormat"),
        (chat_result({"apiFormat": "GENERIC", "choices": []}), "empty"),
        (chat_result({"apiFormat": "GENERIC", "choices": "x"}), "should be an array"),
        (chat_result({"apiFormat": "GENERIC", "choices": [{"message": 3}]}), "object"),
        (
            chat_result({"apiFormat": "GENERIC", "choices": [{}], "usage": {"promptTokens": "1"}}),
            "integer",
        ),
        (
            chat_result(
                {"apiFormat": "COHERE", "text": "", "finishReason": "ERROR", "errorMessage": "boom"}
            ),
            "boom",
        ),
    ],
)
def test_senseless_bodies_raise_response_error(body: object, message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        decode_chat_result(body)  # type: ignore[arg-type]
