"""Incremental decoding of OCI chat stream events (GENERIC, COHERE, COHEREV2).

Wire-spec §4. Feed each parsed SSE ``data:`` object; text and reasoning deltas come
back at once, tool calls only whole, on the final event from ``close()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from locus.core.errors import StreamError
from locus.core.messages import ToolCall
from locus.core.response import StreamEvent
from locus.models.openai_format.accumulate import StreamAccumulator
from locus.models.openai_format.shape import (
    ShapeError,
    maps_in,
    opt_int,
    opt_list,
    opt_map,
    opt_str,
)
from locus.models.openai_format.toolcalls import dump_arguments
from locus.models.providers.oci.formats.api_format import ApiFormat, parse_api_format
from locus.models.providers.oci.formats.chat import reported_error
from locus.models.providers.oci.formats.cohere import cohere_tool_calls
from locus.models.providers.oci.formats.cohere_v2 import v2_parts
from locus.models.providers.oci.formats.generic import generic_text
from locus.models.providers.oci.formats.usage import decode_usage

__all__ = ["ChatStreamDecoder"]

_FORMATS = {f.value: f for f in ApiFormat}


class ChatStreamDecoder(StreamAccumulator):
    """Turns OCI chat stream events into ``StreamEvent``s.

    - GENERIC: ``message.content`` / ``reasoningContent`` deltas; ``toolCalls``
      fragments joined by id and position (gpt-oss, Grok re-announced ids, Gemini
      without ids); the usage-only event may follow the finish event.
    - COHERE: top-level ``text`` deltas; the terminal event repeats the full text,
      which is never re-emitted (only a missing tail, if any); usage rides on it.
    - COHEREV2: TEXT and THINKING content parts; tool-call fragments as GENERIC.

    Only choice 0 is followed. Events after the finish only contribute usage.
    """

    def __init__(
        self,
        api_format: ApiFormat | str,
        *,
        model_id: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(model_id=model_id, request_id=request_id)
        self._format = parse_api_format(api_format)
        self._cohere_calls: list[ToolCall] = []
        self._full_text: str | None = None

    def feed(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        """Decode one event; ``StreamError`` on a malformed or error event."""
        if not isinstance(data, Mapping):
            raise StreamError(f"stream event should be a JSON object, got {type(data).__name__}")
        try:
            return self._feed(data)
        except ShapeError as exc:
            raise StreamError(f"malformed OCI stream event: {exc}") from exc

    def _feed(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        problem = None
        if data.get("errorMessage") is not None or data.get("finishReason") is not None:
            problem = reported_error(data)  # (also checks the type of finishReason)
        if problem is not None:
            raise StreamError(f"the model reported an error during the stream: {problem}")
        if data.get("usage") is not None:
            self._usage = decode_usage(opt_map(data, "usage", "event"))
        if self._finished:
            return []
        declared = self._format
        if data.get("apiFormat") is not None:
            declared = _FORMATS.get(opt_str(data, "apiFormat", "event") or "", declared)
        if declared is ApiFormat.COHERE:
            return self._cohere(data)
        if (opt_int(data, "index", "event") or 0) != 0:
            return []
        message = opt_map(data, "message", "event") or {}
        if declared is ApiFormat.COHEREV2:
            text, reasoning = v2_parts(message, "message")
        else:
            text = generic_text(message, "message")
            reasoning = opt_str(message, "reasoningContent", "message")
        if message.get("toolCalls") is not None:  # absent or null: nothing to read
            self._fragments(message)
        if data.get("finishReason") is not None:
            self._finish(opt_str(data, "finishReason", "event"))
        return self._deltas(text, reasoning)

    def _fragments(self, message: Mapping[str, Any]) -> None:
        where = "message.toolCalls"
        for pos, call in enumerate(maps_in(opt_list(message, "toolCalls", "message"), where)):
            function = opt_map(call, "function", where) or call  # COHEREV2 nests under function
            arguments = function.get("arguments")
            if isinstance(arguments, Mapping):
                arguments = dump_arguments(arguments)
            elif arguments is not None and not isinstance(arguments, str):
                raise ShapeError(f"{where}[{pos}].arguments should be a string")
            name = opt_str(function, "name", where)
            self._calls.add(pos, opt_str(call, "id", where), name, arguments or "")

    def _cohere(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        text = opt_str(data, "text", "event")
        calls = cohere_tool_calls(data, "event")
        if calls:
            self._cohere_calls = calls
        raw_stop = opt_str(data, "finishReason", "event")
        if raw_stop is None:
            return self._deltas(text, None)
        self._finish(raw_stop)
        self._full_text = text
        streamed = "".join(self._text)
        if text and text.startswith(streamed) and len(text) > len(streamed):
            return self._deltas(text[len(streamed) :], None)
        return []

    def close(self) -> StreamEvent:
        """The final event (``done=True``); ``StreamError`` if no finish was seen."""
        text = self._full_text or "".join(self._text)  # COHERE's terminal text is whole
        calls = self._cohere_calls if self._format is ApiFormat.COHERE else self._calls.calls()
        if not calls and self._calls:
            calls = self._calls.calls()
        return self._final_event("finishReason", text=text, tool_calls=calls)
