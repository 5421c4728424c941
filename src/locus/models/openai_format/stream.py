"""Incremental decoding of OpenAI chat-completions stream chunks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.core.errors import StreamError
from locus.core.response import StreamEvent
from locus.core.usage import Usage
from locus.models.openai_format.assemble import build_response
from locus.models.openai_format.decode import decode_openai_usage, error_text, openai_text
from locus.models.openai_format.shape import (
    ShapeError,
    maps_in,
    opt_int,
    opt_list,
    opt_map,
    opt_str,
)
from locus.models.openai_format.toolcalls import ToolCallAssembler, dump_arguments

__all__ = ["OpenAIStreamDecoder"]


class OpenAIStreamDecoder:
    """Turns parsed ``chat.completion.chunk`` objects into ``StreamEvent``s.

    ``feed`` returns text and reasoning deltas; tool calls are joined by ``index``
    and emitted whole by ``close()``, whose event carries usage, stop reason and the
    assembled response. Only choice 0 is followed.
    """

    def __init__(self, *, model_id: str | None = None, request_id: str | None = None) -> None:
        self._model_id = model_id
        self._request_id = request_id
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._calls = ToolCallAssembler()
        self._raw_stop: str | None = None
        self._finished = False
        self._usage: Usage | None = None

    @property
    def finished(self) -> bool:
        """Whether a ``finish_reason`` has been seen."""
        return self._finished

    def feed(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        """Decode one chunk; ``StreamError`` on an error chunk or a malformed one."""
        if not isinstance(data, Mapping):
            raise StreamError(f"stream chunk should be a JSON object, got {type(data).__name__}")
        problem = error_text(data)
        if problem is not None:
            raise StreamError(f"the server reported an error in the stream: {problem}")
        try:
            return self._feed(data)
        except ShapeError as exc:
            raise StreamError(f"malformed stream chunk: {exc}") from exc

    def _feed(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        usage = decode_openai_usage(opt_map(data, "usage", "chunk"))
        if usage is not None:
            self._usage = usage
        if self._model_id is None:
            self._model_id = opt_str(data, "model", "chunk")
        events: list[StreamEvent] = []
        for choice in maps_in(opt_list(data, "choices", "chunk"), "chunk.choices"):
            if (opt_int(choice, "index", "choice") or 0) == 0 and not self._finished:
                events.extend(self._choice(choice))
        return events

    def _choice(self, choice: Mapping[str, Any]) -> list[StreamEvent]:
        delta = opt_map(choice, "delta", "choice") or {}
        text = openai_text(delta.get("content"), "delta.content")
        reasoning = opt_str(delta, "reasoning_content", "delta") or opt_str(
            delta, "reasoning", "delta"
        )
        self._tool_fragments(delta)
        raw_stop = opt_str(choice, "finish_reason", "choice")
        if raw_stop is not None:
            self._raw_stop, self._finished = raw_stop, True
        events: list[StreamEvent] = []
        if reasoning:
            self._reasoning.append(reasoning)
            events.append(StreamEvent(reasoning=reasoning))
        if text:
            self._text.append(text)
            events.append(StreamEvent(content=text))
        return events

    def _tool_fragments(self, delta: Mapping[str, Any]) -> None:
        where = "delta.tool_calls"
        for pos, call in enumerate(maps_in(opt_list(delta, "tool_calls", "delta"), where)):
            function = opt_map(call, "function", where) or {}
            arguments = function.get("arguments")
            if isinstance(arguments, Mapping):
                arguments = dump_arguments(arguments)
            elif arguments is not None and not isinstance(arguments, str):
                raise ShapeError(f"{where}.function.arguments should be a string")
            self._calls.add(
                _position(call, pos, where),
                opt_str(call, "id", where),
                opt_str(function, "name", where),
                arguments or "",
            )

    def close(self) -> StreamEvent:
        """The final event; ``StreamError`` when no ``finish_reason`` was seen."""
        if not self._finished:
            raise StreamError("the stream ended before the model finished (no finish_reason)")
        response = build_response(
            text="".join(self._text),
            reasoning="".join(self._reasoning),
            tool_calls=self._calls.calls(),
            raw_stop=self._raw_stop,
            usage=self._usage,
            model_id=self._model_id,
            request_id=self._request_id,
        )
        return StreamEvent(
            tool_calls=list(response.tool_calls),
            done=True,
            usage=response.usage,
            stop_reason=response.stop_reason,
            response=response,
        )


def _position(call: Mapping[str, Any], pos: int, where: str) -> int:
    index = opt_int(call, "index", where)
    return pos if index is None else index
