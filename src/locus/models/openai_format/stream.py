"""Incremental decoding of OpenAI chat-completions stream chunks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.core.errors import StreamError
from locus.core.response import StreamEvent
from locus.models.openai_format.accumulate import StreamAccumulator
from locus.models.openai_format.decode import decode_openai_usage, error_text, openai_text
from locus.models.openai_format.shape import (
    ShapeError,
    maps_in,
    opt_int,
    opt_list,
    opt_map,
    opt_str,
)
from locus.models.openai_format.toolcalls import dump_arguments

__all__ = ["OpenAIStreamDecoder"]


class OpenAIStreamDecoder(StreamAccumulator):
    """Turns parsed ``chat.completion.chunk`` objects into ``StreamEvent``s.

    ``feed`` returns text and reasoning deltas; tool calls are joined by ``index``
    and emitted whole by ``close()``, whose event carries usage, stop reason and the
    assembled response. Only choice 0 is followed.
    """

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
        self._finish(opt_str(choice, "finish_reason", "choice"))
        return self._deltas(text, reasoning)

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
        return self._final_event("finish_reason")


def _position(call: Mapping[str, Any], pos: int, where: str) -> int:
    index = opt_int(call, "index", where)
    return pos if index is None else index
