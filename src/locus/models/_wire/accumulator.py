"""What a chat stream decoder gathers as events come in, and the final event it makes.

Shared by the OpenAI chunk decoder and the OCI one: ``feed`` checks each event and turns
a ``ShapeError`` into a ``StreamError``; text and reasoning deltas are passed on at once
and kept, tool-call fragments are joined by position, and ``_final_event`` builds the
``done=True`` event (usage, stop reason and the assembled response).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from locus.core.errors import StreamError
from locus.core.messages import ToolCall
from locus.core.response import StreamEvent
from locus.core.usage import Usage
from locus.models._wire.assembler import ToolCallAssembler
from locus.models._wire.response import build_response
from locus.models._wire.shape import ShapeError
from locus.models._wire.surrogates import HeldHalf

__all__ = ["StreamAccumulator"]


class StreamAccumulator(ABC):
    """The state of one streamed answer; decoders subclass it and implement ``_feed``."""

    _event_name = "stream event"
    """What one decoded event is called in error messages."""

    _indexed_calls = False
    """Whether tool-call fragments carry an index that tells calls apart (OpenAI)."""

    def __init__(self, *, model_id: str | None = None, request_id: str | None = None) -> None:
        self._model_id = model_id
        self._request_id = request_id
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._calls = ToolCallAssembler(indexed=self._indexed_calls)
        self._raw_stop: str | None = None
        self._finished = False
        self._usage: Usage | None = None
        self._text_half = HeldHalf()  # (a character cut between two events: surrogates)
        self._reasoning_half = HeldHalf()

    @property
    def finished(self) -> bool:
        """Whether the model's finish (its stop reason) has been seen."""
        return self._finished

    def feed(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        """Decode one event; ``StreamError`` on a malformed one or one reporting an error."""
        if type(data) is not dict and not isinstance(data, Mapping):
            raise StreamError(
                f"{self._event_name} should be a JSON object, got {type(data).__name__}"
            )
        try:
            return self._feed(data)
        except ShapeError as exc:
            raise StreamError(f"malformed {self._event_name}: {exc}") from exc

    @abstractmethod
    def _feed(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        """Decode one event that is a JSON object (``ShapeError`` on a wrong field)."""

    @abstractmethod
    def close(self) -> StreamEvent:
        """The final event; ``StreamError`` when the stream ended before the finish."""

    def _finish(self, raw_stop: str | None) -> None:
        if raw_stop is not None:
            self._raw_stop, self._finished = raw_stop, True

    def _deltas(self, text: str | None, reasoning: str | None) -> list[StreamEvent]:
        """The events for one step's deltas (reasoning first), kept for the final answer.

        Text is passed on as valid Unicode: a character whose UTF-16 halves came in two
        events is passed on whole with the second (``surrogates``).
        """
        if not reasoning:  # (the usual step: one text delta, or nothing)
            if not text:
                return []
            if not text.isascii() or self._text_half.half:
                text = self._text_half.take(text, last=self._finished)
                if not text:
                    return []
            self._text.append(text)
            return [StreamEvent(content=text)]
        events: list[StreamEvent] = []
        reasoning = self._reasoning_half.take(reasoning, last=self._finished)
        if text:
            text = self._text_half.take(text, last=self._finished)
        if reasoning:
            self._reasoning.append(reasoning)
            events.append(StreamEvent(reasoning=reasoning))
        if text:
            self._text.append(text)
            events.append(StreamEvent(content=text))
        return events

    def _end_halves(self) -> None:
        """Keep a character half still held at the end (as U+FFFD: its partner never came)."""
        if rest := self._text_half.rest():
            self._text.append(rest)
        if rest := self._reasoning_half.rest():
            self._reasoning.append(rest)

    def _final_event(
        self, missing: str, *, text: str | None = None, tool_calls: list[ToolCall] | None = None
    ) -> StreamEvent:
        """The ``done=True`` event; ``StreamError`` (naming ``missing``) before the finish.

        ``text`` and ``tool_calls`` replace what was gathered when a format says otherwise.
        """
        if not self._finished:
            raise StreamError(f"the stream ended before the model finished (no {missing})")
        self._end_halves()
        response = build_response(
            text="".join(self._text) if text is None else text,
            reasoning="".join(self._reasoning),
            tool_calls=self._calls.calls() if tool_calls is None else tool_calls,
            raw_stop=self._raw_stop,
            usage=self._usage,
            model_id=self._model_id,
            request_id=self._request_id,
        )
        return StreamEvent.final(response)
