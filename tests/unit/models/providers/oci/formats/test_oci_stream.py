"""ChatStreamDecoder: stream patterns beyond the fixtures."""

from __future__ import annotations

from typing import Any

import pytest

from locus.core.errors import StreamError
from locus.core.messages import ToolCall
from locus.core.response import StreamEvent
from locus.models.providers.oci._formats import ApiFormat, ChatStreamDecoder


def run(api_format: ApiFormat, events: list[dict[str, Any]]) -> list[StreamEvent]:
    decoder = ChatStreamDecoder(api_format, model_id="m")
    out: list[StreamEvent] = []
    for event in events:
        out += decoder.feed(event)
    assert decoder.finished
    return [*out, decoder.close()]


def calls(*fragments: dict[str, Any]) -> dict[str, Any]:
    return {"index": 0, "message": {"role": "ASSISTANT", "toolCalls": list(fragments)}}


FINISH = {"index": 0, "message": {"role": "ASSISTANT"}, "finishReason": "tool_calls"}


def test_grok_parallel_calls_reusing_position_with_reannounced_ids() -> None:
    events = run(
        ApiFormat.GENERIC,
        [
            calls({"id": "g1", "type": "FUNCTION", "name": "get_weather", "arguments": '{"city":'}),
            calls({"id": "g2", "type": "FUNCTION", "name": "get_time", "arguments": "{}"}),
            calls({"id": "g1", "type": "FUNCTION", "arguments": '"Oslo"}'}),
            FINISH,
        ],
    )
    assert events[-1].tool_calls == [
        ToolCall("g1", "get_weather", {"city": "Oslo"}),
        ToolCall("g2", "get_time", {}),
    ]
    assert len(events) == 1


def test_gemini_calls_without_ids() -> None:
    events = run(
        ApiFormat.GENERIC,
        [
            calls(
                {"type": "FUNCTION", "name": "a", "arguments": '{"x": 1}'},
                {"type": "FUNCTION", "name": "b", "arguments": '{"y": 2}'},
            ),
            FINISH,
        ],
    )
    final = events[-1].tool_calls
    assert [(c.name, c.arguments) for c in final] == [("a", {"x": 1}), ("b", {"y": 2})]
    assert final[0].id != final[1].id


def test_reasoning_then_text_and_late_usage() -> None:
    events = run(
        ApiFormat.GENERIC,
        [
            {"message": {"role": "ASSISTANT", "reasoningContent": "Let me "}},
            {"message": {"role": "ASSISTANT", "reasoningContent": "think."}, "pad": "zz"},
            {"message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": "42"}]}},
            {"message": {"role": "ASSISTANT", "content": []}, "finishReason": "stop"},
            {"message": {"content": [{"type": "TEXT", "text": "ignored"}]}},
            {"usage": {"promptTokens": 1, "completionTokens": 2, "totalTokens": 3}},
        ],
    )
    assert [(e.reasoning, e.content) for e in events[:-1]] == [
        ("Let me ", None),
        ("think.", None),
        (None, "42"),
    ]
    final = events[-1]
    assert final.done and final.response is not None
    assert final.response.message.reasoning == "Let me think."
    assert final.response.text == "42"
    assert final.response.model_id == "m"
    assert final.usage == {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}


def test_other_choices_are_ignored() -> None:
    events = run(
        ApiFormat.GENERIC,
        [
            {"index": 1, "message": {"content": [{"type": "TEXT", "text": "B"}]}},
            {"index": 0, "message": {"content": [{"type": "TEXT", "text": "A"}]}},
            {"index": 0, "finishReason": "stop"},
        ],
    )
    assert [e.content for e in events[:-1]] == ["A"]


def test_no_finish_reason_is_a_stream_error() -> None:
    decoder = ChatStreamDecoder("generic")
    decoder.feed({"message": {"content": [{"type": "TEXT", "text": "partial"}]}})
    assert not decoder.finished
    with pytest.raises(StreamError, match="no finishReason"):
        decoder.close()


@pytest.mark.parametrize(
    ("event", "match"),
    [
        ({"apiFormat": "COHERE", "text": "", "finishReason": "ERROR", "errorMessage": "x"}, "x"),
        ({"message": {"content": "text"}}, "should be an array"),
        ({"message": {"toolCalls": [{"arguments": 5}]}}, "should be a string"),
        ({"usage": {"promptTokens": 1.5}}, "integer"),
    ],
)
def test_bad_events_raise_stream_error(event: dict[str, Any], match: str) -> None:
    with pytest.raises(StreamError, match=match):
        ChatStreamDecoder(ApiFormat.GENERIC).feed(event)


def test_cohere_tool_calls_on_terminal_event_and_missing_tail() -> None:
    events = run(
        ApiFormat.COHERE,
        [
            {"apiFormat": "COHERE", "text": "I will"},
            {
                "apiFormat": "COHERE",
                "text": "I will check.",
                "finishReason": "COMPLETE",
                "toolCalls": [
                    {"name": "get_weather", "parameters": {"city": "A"}},
                    {"name": "get_weather", "parameters": {"city": "B"}},
                ],
            },
        ],
    )
    assert [e.content for e in events[:-1]] == ["I will", " check."]
    final = events[-1]
    assert [c.arguments for c in final.tool_calls] == [{"city": "A"}, {"city": "B"}]
    assert len({c.id for c in final.tool_calls}) == 2
    assert final.stop_reason == "tool_calls"
    assert final.response is not None and final.response.text == "I will check."


def test_coherev2_thinking_and_tool_fragments() -> None:
    v2 = {"apiFormat": "COHEREV2"}
    events = run(
        ApiFormat.COHEREV2,
        [
            {**v2, "message": {"content": [{"type": "THINKING", "thinking": "hm"}]}},
            {
                **v2,
                "message": {
                    "toolCalls": [
                        {"id": "t", "type": "FUNCTION", "function": {"name": "f", "arguments": ""}}
                    ]
                },
            },
            {**v2, "message": {"toolCalls": [{"function": {"arguments": '{"a": 1}'}}]}},
            {**v2, "message": {}, "finishReason": "TOOL_CALL", "usage": {"totalTokens": 9}},
        ],
    )
    assert [e.reasoning for e in events[:-1]] == ["hm"]
    assert events[-1].tool_calls == [ToolCall("t", "f", {"a": 1})]
    assert events[-1].usage == {"total_tokens": 9}


def test_unknown_format_name_is_refused() -> None:
    with pytest.raises(ValueError, match="api_format"):
        ChatStreamDecoder("llama")


def test_cohere_terminal_without_text_keeps_the_deltas() -> None:
    events = run(
        ApiFormat.COHERE,
        [{"text": "Hi"}, {"text": " there"}, {"finishReason": "MAX_TOKENS"}],
    )
    final = events[-1]
    assert final.response is not None and final.response.text == "Hi there"
    assert final.stop_reason == "length"
