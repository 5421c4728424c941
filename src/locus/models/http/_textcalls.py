"""Tool calls written as text (``<tool_call>`` blocks and kin) turned into ``ToolCall``s.

Applied only when tools were offered and a format is set (``tool_call_format``), so
plain answers (even JSON ones) pass through untouched. Structured calls from the API
win: when an answer has them, calls found in its text are dropped, but markup is still
removed from the visible text. A turn that only calls tools has ``content=None`` (the
whitespace around the markup is not kept as an answer). A stream never shows markup in ``.content``.

``TextCalls`` is a model's parsing, made when its ``tool_call_format`` is set: this module
(and ``locus.toolcalls``) is imported by the first such model, not by ``HTTPChatModel``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from locus.core.messages import ToolCall
from locus.core.response import ModelResponse, StopReason, StreamEvent
from locus.core.toolspec import ToolSpec
from locus.toolcalls import ReasoningText, ToolCallStreamParser, parse_tool_calls

__all__ = ["StreamTextCalls", "TextCalls", "ToolCallFormats", "parse_response_text"]

ToolCallFormats = str | Sequence[str] | None


class TextCalls:
    """The text tool-call parsing of one model: its formats, for whole answers and streams."""

    __slots__ = ("formats",)

    def __init__(self, formats: str | Sequence[str]) -> None:
        self.formats = formats

    def parse(self, response: ModelResponse, tools: Sequence[ToolSpec]) -> ModelResponse:
        """``response`` with its text tool calls parsed out (``parse_response_text``)."""
        return parse_response_text(response, self.formats, tools)

    def stream(self, tools: Sequence[ToolSpec]) -> StreamTextCalls:
        """A parser for one streamed answer's events."""
        return StreamTextCalls(self.formats, tools)


def parse_response_text(
    response: ModelResponse, formats: ToolCallFormats, tools: Sequence[ToolSpec]
) -> ModelResponse:
    """The response with text tool calls parsed out of its content."""
    message = response.message
    if formats is None or not tools or not message.content:
        return response
    parsed = parse_tool_calls(message.content, formats, tools=tools)
    calls = message.tool_calls or parsed.tool_calls
    content = parsed.content if (parsed.content.strip() or not calls) else None
    new_message = replace(
        message,
        content=content,
        tool_calls=list(calls),
        reasoning=_join(message.reasoning, parsed.reasoning),
    )
    stop = _stop_reason(response.stop_reason, bool(parsed.tool_calls and not message.tool_calls))
    return replace(response, message=new_message, stop_reason=stop)


class StreamTextCalls:
    """Wraps a stream's events: content deltas go through an incremental parser."""

    def __init__(self, formats: str | Sequence[str], tools: Sequence[ToolSpec]) -> None:
        self._parser = ToolCallStreamParser(formats, tools=tools)
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._calls: list[ToolCall] = []

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        """The events to show for one decoded (non-final) event."""
        content = event.content
        if content and _only_content(event):
            items = self._parser.feed(content)
            if not items:
                return []  # (held back: inside a call, or what may start one)
            if len(items) == 1 and items[0] is content:  # prose, passed on as it came
                self._content.append(content)
                return [event]
            return self._convert(items)
        out: list[StreamEvent] = []
        if event.reasoning:
            out.append(StreamEvent(reasoning=event.reasoning))
        if event.content:
            out.extend(self._convert(self._parser.feed(event.content)))
        if event.tool_calls:
            out.append(StreamEvent(tool_calls=list(event.tool_calls)))
        return out

    def finish(self, final: StreamEvent) -> list[StreamEvent]:
        """Flush the parser and rebuild the final event from what was shown."""
        items = self._parser.feed(final.content) if final.content else []
        out = self._convert([*items, *self._parser.close()])
        out.append(self._final(final))
        return out

    def _convert(self, items: Sequence[str | ToolCall | ReasoningText]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for item in items:
            if isinstance(item, str):
                if item:
                    self._content.append(item)
                    events.append(StreamEvent(content=item))
            elif isinstance(item, ReasoningText):
                self._reasoning.append(item.text)
                events.append(StreamEvent(reasoning=item.text))
            else:
                self._calls.append(item)
        return events

    def _final(self, final: StreamEvent) -> StreamEvent:
        response = final.response
        if response is None:
            return final
        structured = response.message.tool_calls
        calls = list(structured or self._calls)
        text = "".join(self._content)
        content = text if (text.strip() or not calls) else None
        reasoning = _join(response.message.reasoning, "".join(self._reasoning) or None)
        stop = _stop_reason(response.stop_reason, bool(self._calls and not structured))
        if _unchanged(final, response, content, reasoning, calls, stop):
            return final  # nothing was parsed out: the decoder's final event as it is
        message = replace(response.message, content=content, tool_calls=calls, reasoning=reasoning)
        new_response = replace(response, message=message, stop_reason=stop)
        return replace(
            final, content=None, tool_calls=calls, stop_reason=stop, response=new_response
        )


def _only_content(event: StreamEvent) -> bool:
    """A plain text delta: nothing else on the event."""
    return (
        not event.reasoning
        and not event.tool_calls
        and not event.done
        and event.usage is None
        and event.stop_reason is None
        and event.response is None
    )


def _unchanged(
    final: StreamEvent,
    response: ModelResponse,
    content: str | None,
    reasoning: str | None,
    calls: list[ToolCall],
    stop: StopReason | None,
) -> bool:
    """Whether the rebuilt final event would equal ``final`` (then it is kept as it is)."""
    message = response.message
    return (
        final.content is None
        and final.tool_calls == calls
        and final.stop_reason == stop == response.stop_reason
        and (message.content, message.reasoning, message.tool_calls) == (content, reasoning, calls)
    )


def _stop_reason(reason: StopReason | None, found_text_calls: bool) -> StopReason | None:
    if found_text_calls and reason in (None, "stop"):
        return "tool_calls"
    return reason


def _join(first: str | None, second: str | None) -> str | None:
    if first and second:
        return first + second
    return first or second
