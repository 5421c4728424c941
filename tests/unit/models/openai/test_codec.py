"""The OpenAI chat-completions codec: request, answer and stream chunks."""

from __future__ import annotations

from typing import Any

import pytest

from locus.core.errors import ResponseError, StreamError
from locus.core.messages import ImagePart, Message, ToolCall
from locus.core.params import GenerationParams
from locus.models._openai import OpenAIStreamDecoder, decode_openai_chat, encode_openai_chat
from tests.unit.models.helpers import WEATHER


def test_encode_conversation_tools_and_params() -> None:
    call = ToolCall("c1", "get_weather", {"city": "Paris"})
    messages = [
        Message.system("sys"),
        Message.user("look", images=[ImagePart("https://x/i.png")]),
        Message.assistant(None, [call]),
        Message.tool("18C", "c1", "get_weather"),
    ]
    params = GenerationParams(
        max_tokens=5,
        temperature=0.1,
        stop=("a",),
        tool_choice="get_weather",
        response_format={"name": "r", "schema": {"type": "object"}, "strict": True},
        extra={"user": "u1"},
    )
    body = encode_openai_chat(
        model="gpt", messages=messages, tools=[WEATHER], params=params, stream=True
    )
    assert body == {
        "model": "gpt",
        "messages": [
            {"role": "system", "content": "sys"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "look"},
                    {
                        "type": "image_url",
                        "image_url": {"url": "https://x/i.png", "detail": "auto"},
                    },
                ],
            },
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "18C"},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": dict(WEATHER.parameters),
                    "description": "Get weather",
                },
            }
        ],
        "max_tokens": 5,
        "temperature": 0.1,
        "stop": ["a"],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "r", "schema": {"type": "object"}, "strict": True},
        },
        "stream": True,
        "stream_options": {"include_usage": True},
        "user": "u1",
    }


def test_encode_non_stream_has_no_stream_keys() -> None:
    body = encode_openai_chat(
        model="m", messages=[Message.user("hi")], tools=[], params=GenerationParams(), stream=False
    )
    assert body == {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def test_decode_answer() -> None:
    body = {
        "id": "chatcmpl-1",
        "model": "gpt-x",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "reasoning_content": "r",
                    "tool_calls": [
                        {
                            "id": "a",
                            "type": "function",
                            "function": {"name": "f", "arguments": '{"x": 1}'},
                        },
                        {
                            "id": "b",
                            "type": "function",
                            "function": {"name": "g", "arguments": "{"},
                        },
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {
            "prompt_tokens": 3,
            "completion_tokens": 4,
            "total_tokens": 7,
            "completion_tokens_details": {"reasoning_tokens": 2},
        },
    }
    response = decode_openai_chat(body, request_id="rq")
    assert response.tool_calls == [
        ToolCall("a", "f", {"x": 1}),
        ToolCall("b", "g", {}, raw_arguments="{"),
    ]
    assert response.message.reasoning == "r"
    assert response.stop_reason == "tool_calls"
    assert response.usage == {
        "prompt_tokens": 3,
        "completion_tokens": 4,
        "total_tokens": 7,
        "reasoning_tokens": 2,
    }
    assert (response.model_id, response.request_id) == ("gpt-x", "rq")


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"error": {"message": "bad model"}}, "bad model"),
        ({"choices": []}, "no choices"),
        ({"choices": [{"message": {"content": 5}}]}, "string or an array"),
        ("x", "JSON object"),
    ],
)
def test_decode_senseless(body: Any, match: str) -> None:
    with pytest.raises(ResponseError, match=match):
        decode_openai_chat(body)


def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}


def test_stream_text_tools_by_index_and_usage_chunk() -> None:
    decoder = OpenAIStreamDecoder()
    chunks = [
        chunk({"role": "assistant", "content": ""}, model="gpt-x"),
        chunk({"reasoning": "hm"}),
        chunk({"content": "Hel"}),
        chunk({"content": "lo"}),
        chunk(
            {"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": ""}}]}
        ),
        chunk(
            {"tool_calls": [{"index": 1, "id": "b", "function": {"name": "g", "arguments": ""}}]}
        ),
        chunk({"tool_calls": [{"index": 1, "function": {"arguments": '{"y": 2}'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"x": 1}'}}]}),
        chunk({}, "tool_calls"),
        {"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}},
    ]
    events = [e for c in chunks for e in decoder.feed(c)]
    assert [(e.reasoning, e.content) for e in events] == [("hm", None), (None, "Hel"), (None, "lo")]
    final = decoder.close()
    assert final.tool_calls == [ToolCall("a", "f", {"x": 1}), ToolCall("b", "g", {"y": 2})]
    assert final.usage == {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    assert final.response is not None
    assert final.response.text == "Hello" and final.response.model_id == "gpt-x"


def test_stream_errors() -> None:
    decoder = OpenAIStreamDecoder()
    with pytest.raises(StreamError, match="overloaded"):
        decoder.feed({"error": {"message": "overloaded"}})
    with pytest.raises(StreamError, match="finish_reason"):
        decoder.close()
    with pytest.raises(StreamError, match="malformed"):
        decoder.feed({"choices": [{"delta": []}]})
