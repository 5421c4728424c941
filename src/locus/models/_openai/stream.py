"""Incremental decoding of OpenAI chat-completions stream chunks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.core.errors import StreamError
from locus.core.response import StreamEvent
from locus.models._openai.decode import decode_openai_usage, error_text, openai_text
from locus.models._wire.accumulator import StreamAccumulator
from locus.models._wire.arguments import fragment_text
from locus.models._wire.shape import maps_in, opt_int, opt_list, opt_map, opt_str

__all__ = ["OpenAIStreamDecoder"]


class OpenAIStreamDecoder(StreamAccumulator):
    """Turns parsed ``chat.completion.chunk`` objects into ``StreamEvent``s.

    ``feed`` returns text and reasoning deltas; tool calls are told apart by ``index``
    and emitted whole by ``close()``, whose event carries usage, stop reason and the
    assembled response. Only choice 0 is followed. An error chunk is a ``StreamError``.
    """

    _event_name = "stream chunk"
    _indexed_calls = True

    def _feed(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        problem = error_text(data)
        if problem is not None:
            raise StreamError(f"the server reported an error in the stream: {problem}")
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
        self._calls.next_event()
        for pos, call in enumerate(maps_in(opt_list(delta, "tool_calls", "delta"), where)):
            function = opt_map(call, "function", where) or {}
            index = opt_int(call, "index", where)
            self._calls.add(
                pos if index is None else index,
                opt_str(call, "id", where),
                opt_str(function, "name", where),
                fragment_text(function, f"{where}.function"),
            )

    def close(self) -> StreamEvent:
        """The final event; ``StreamError`` when no ``finish_reason`` was seen."""
        return self._final_event("finish_reason")
