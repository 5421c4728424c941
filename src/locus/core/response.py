"""What a model call returns, whole (``ModelResponse``) or streamed (``StreamEvent``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from locus.core.citations import Citation
from locus.core.messages import Message, ToolCall
from locus.core.usage import Usage

__all__ = ["ModelResponse", "StopReason", "StreamEvent"]

StopReason = Literal["stop", "length", "tool_calls", "content_filter", "error"]
"""Normalised stop reasons; ``ModelResponse.raw_stop_reason`` keeps the provider's word."""


@dataclass(slots=True)
class ModelResponse:
    """One complete model answer: the assistant message, usage and why it stopped.

    With a typed ``response_format`` (a pydantic class, a ``TypeAdapter``...), ``parsed``
    holds the validated answer; when the answer does not validate, ``parsed`` stays
    ``None`` and ``parse_error`` says why (compact pydantic errors), so a caller can ask
    again. The call itself does not raise for an answer that does not validate.

    ``citations`` say which spans of ``text`` come from which documents (a grounded
    answer: ``documents=`` on a Cohere model's call) or web pages; empty otherwise.
    """

    message: Message
    usage: Usage = field(default_factory=Usage)
    stop_reason: StopReason | None = None
    raw_stop_reason: str | None = None
    model_id: str | None = None
    request_id: str | None = None
    kind: Literal["model_response"] = "model_response"
    parsed: Any = None
    """The validated structured answer (typed ``response_format`` only)."""
    parse_error: str | None = None
    """Why the answer did not validate against the typed ``response_format``."""
    citations: tuple[Citation, ...] = ()
    """The spans of ``text`` the answer cites, and their sources (``Citation``)."""

    @property
    def tool_calls(self) -> list[ToolCall]:
        return self.message.tool_calls

    @property
    def text(self) -> str:
        return self.message.content or ""


@dataclass(slots=True)
class StreamEvent:
    """One step of a streamed model answer.

    ``content`` is a visible text delta, ``reasoning`` a reasoning delta, and
    ``tool_calls`` the calls completed at this point. The last event has
    ``done=True`` and carries ``usage``, ``stop_reason`` and the assembled
    ``response`` (the same ``ModelResponse`` that ``complete()`` would return).
    """

    content: str | None = None
    reasoning: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    done: bool = False
    usage: Usage | None = None
    stop_reason: StopReason | None = None
    response: ModelResponse | None = None
    kind: Literal["stream_event"] = "stream_event"

    @classmethod
    def final(cls, response: ModelResponse) -> StreamEvent:
        """The last event of a stream whose whole answer is ``response``."""
        return cls(
            tool_calls=list(response.tool_calls),
            done=True,
            usage=response.usage,
            stop_reason=response.stop_reason,
            response=response,
        )
