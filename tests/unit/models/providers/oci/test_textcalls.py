"""Text tool calls applied to whole and streamed model answers."""

from __future__ import annotations

from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec
from locus.models.http._textcalls import StreamTextCalls, parse_response_text

ADD = ToolSpec("add", "adds", {"type": "object", "properties": {"a": {"type": "integer"}}})
QWEN = '\n\n<tool_call>\n{"name": "add", "arguments": {"a": 1}}\n</tool_call>\n'


def _response(text: str, calls: list[ToolCall] | None = None) -> ModelResponse:
    return ModelResponse(Message.assistant(text, calls), stop_reason="stop")


def test_whole_answer_with_only_a_call_has_no_content() -> None:
    parsed = parse_response_text(_response(QWEN), "auto", [ADD])
    assert parsed.message.content is None
    assert [(c.name, c.arguments) for c in parsed.message.tool_calls] == [("add", {"a": 1})]
    assert parsed.stop_reason == "tool_calls"


def test_prose_around_a_call_is_kept() -> None:
    parsed = parse_response_text(_response("Let me add." + QWEN), "auto", [ADD])
    assert parsed.message.content is not None and "Let me add." in parsed.message.content
    assert "<tool_call>" not in parsed.message.content


def test_structured_calls_win_over_text_calls() -> None:
    structured = ToolCall("c1", "add", {"a": 9})
    parsed = parse_response_text(_response(QWEN, [structured]), "auto", [ADD])
    assert parsed.message.tool_calls == [structured]


def test_no_tools_offered_means_no_parsing() -> None:
    assert parse_response_text(_response(QWEN), "auto", []).message.content == QWEN


def test_stream_hides_markup_and_returns_the_call() -> None:
    wrapper = StreamTextCalls("auto", [ADD])
    shown: list[StreamEvent] = []
    for i in range(0, len(QWEN), 3):
        shown += wrapper.feed(StreamEvent(content=QWEN[i : i + 3]))
    final = wrapper.finish(StreamEvent(done=True, response=_response(QWEN)))[-1]
    assert "<tool_call>" not in "".join(e.content or "" for e in shown)
    assert final.response is not None and final.response.message.content is None
    assert [c.arguments for c in final.tool_calls] == [{"a": 1}]
    assert final.stop_reason == "tool_calls"
