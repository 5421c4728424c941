"""Incremental decoding of OCI chat stream events (GENERIC, COHERE, COHEREV2).

Wire-spec §4. Feed each parsed SSE ``data:`` object; text and reasoning deltas come
back at once, tool calls only whole, on the final event from ``close()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from locus.core.citations import Citation
from locus.core.errors import StreamError
from locus.core.messages import ToolCall
from locus.core.response import StreamEvent
from locus.models._wire.accumulator import StreamAccumulator
from locus.models._wire.arguments import fragment_text
from locus.models._wire.shape import maps_in, opt_int, opt_list, opt_map, opt_str
from locus.models._wire.surrogates import whole_text
from locus.models.providers.oci._formats.api_format import ApiFormat, parse_api_format
from locus.models.providers.oci._formats.chat import reported_error
from locus.models.providers.oci._formats.citations import (
    cohere_citations,
    url_citations,
    v2_citations,
)
from locus.models.providers.oci._formats.cohere import cohere_tool_calls
from locus.models.providers.oci._formats.cohere_v2 import v2_parts
from locus.models.providers.oci._formats.generic import generic_text
from locus.models.providers.oci._formats.usage import decode_usage

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

    Citations come whole with the answer: COHERE's on its terminal event, GENERIC's
    (``annotations``) on its finish event, COHEREV2's on any message that carries them
    (the spec shows no streamed citation events; the emulator puts them on the finish).

    Only choice 0 is followed. Events after the finish only contribute usage.
    """

    _event_name = "OCI stream event"

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
        self._citations: tuple[Citation, ...] = ()

    def _feed(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        if self._format is ApiFormat.GENERIC and not self._finished:
            text = _plain_text_delta(data)
            if text is not None:  # the usual token event: what the general path gives
                return self._deltas(text, None)
        self._check_error(data)
        if data.get("usage") is not None:
            self._usage = decode_usage(opt_map(data, "usage", "event"))
        if self._finished:
            return []
        declared = self._declared_format(data)
        if declared is ApiFormat.COHERE:
            return self._cohere(data)
        if (opt_int(data, "index", "event") or 0) != 0:
            return []
        return self._choice(data, declared)

    @staticmethod
    def _check_error(data: Mapping[str, Any]) -> None:
        if data.get("errorMessage") is None and data.get("finishReason") is None:
            return
        problem = reported_error(data)  # (also checks the type of finishReason)
        if problem is not None:
            raise StreamError(f"the model reported an error during the stream: {problem}")

    def _declared_format(self, data: Mapping[str, Any]) -> ApiFormat:
        if data.get("apiFormat") is None:
            return self._format
        return _FORMATS.get(opt_str(data, "apiFormat", "event") or "", self._format)

    def _choice(self, data: Mapping[str, Any], declared: ApiFormat) -> list[StreamEvent]:
        """A GENERIC or COHEREV2 event: message deltas, tool-call fragments, the finish."""
        message = opt_map(data, "message", "event") or {}
        if declared is ApiFormat.COHEREV2:
            text, reasoning = v2_parts(message, "message")
        else:
            text = generic_text(message, "message")
            reasoning = opt_str(message, "reasoningContent", "message")
        if message.get("toolCalls") is not None:  # absent or null: nothing to read
            self._fragments(message)
        if declared is ApiFormat.COHEREV2 and "citations" in message:
            self._citations = v2_citations(message, "message")
        if data.get("finishReason") is not None:
            self._finish(opt_str(data, "finishReason", "event"))
            if "annotations" in message:  # GENERIC's (their text is read at the end)
                self._citations = url_citations(message, None)
        return self._deltas(text, reasoning)

    def _fragments(self, message: Mapping[str, Any]) -> None:
        where = "message.toolCalls"
        self._calls.next_event()
        for pos, call in enumerate(maps_in(opt_list(message, "toolCalls", "message"), where)):
            function = opt_map(call, "function", where) or call  # COHEREV2 nests under function
            self._calls.add(
                pos,
                opt_str(call, "id", where),
                opt_str(function, "name", where),
                fragment_text(function, f"{where}[{pos}]"),
            )

    def _cohere(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        text = opt_str(data, "text", "event")
        calls = cohere_tool_calls(data, "event")
        if calls:
            self._cohere_calls = calls
        raw_stop = opt_str(data, "finishReason", "event")
        if raw_stop is None:
            return self._deltas(text, None)
        if "citations" in data:
            self._citations = cohere_citations(data, "event")
        self._finish(raw_stop)
        self._text_half.drop()  # (the whole text is here: a half held back is in it)
        self._full_text = text = whole_text(text) if text else text
        streamed = "".join(self._text)
        if text and text.startswith(streamed) and len(text) > len(streamed):
            return self._deltas(text[len(streamed) :], None)
        return []

    def close(self) -> StreamEvent:
        """The final event (``done=True``); ``StreamError`` if no finish was seen."""
        if self._finished:
            self._end_halves()
        text = self._full_text or "".join(self._text)  # COHERE's terminal text is whole
        # (whichever kind the events brought: a stream's events may declare another format)
        cohere, assembled = self._cohere_calls, self._calls.calls() if self._calls else []
        first, second = (
            (cohere, assembled) if self._format is ApiFormat.COHERE else (assembled, cohere)
        )
        calls = first or second
        event = self._final_event("finishReason", text=text, tool_calls=calls)
        if self._citations and event.response is not None:
            event.response.citations = _with_texts(self._citations, event.response.text)
        return event


def _with_texts(citations: tuple[Citation, ...], text: str) -> tuple[Citation, ...]:
    """Citations whose text was not on the wire (GENERIC's URL citations) given their span."""
    return tuple(c if c.text else replace(c, text=text[c.start : c.end]) for c in citations)


def _plain_text_delta(data: Mapping[str, Any]) -> str | None:
    """The text of GENERIC's usual delta, exactly ``{"index": 0, "message": {"role":
    "ASSISTANT", "content": [{"type": "TEXT", "text": "..."}]}}``; ``None`` for any other
    event (which takes the general path, with its checks)."""
    if len(data) != 2 or type(index := data.get("index")) is not int or index != 0:
        return None
    message = data.get("message")
    if type(message) is not dict or len(message) != 2 or message.get("role") != "ASSISTANT":
        return None
    content = message.get("content")
    if type(content) is not list or len(content) != 1:
        return None
    part = content[0]
    if type(part) is not dict or len(part) != 2 or part.get("type") != "TEXT":
        return None
    text = part.get("text")
    return text if type(text) is str else None
