"""The contract between ``HTTPChatModel`` and a wire codec (one per API format).

A codec is pure mapping: core messages, tools and parameters in, a JSON request body
out; a JSON answer in, a ``ModelResponse`` out; and, for streams, an incremental
decoder of the API's JSON events. It knows the API's path, never its host or auth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from locus.core._grounding import Grounding
from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse, StreamEvent
from locus.core.toolspec import ToolSpec

__all__ = ["ChatCodec", "ChatRequest", "StreamDecoder"]


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """What one call asks, in core types, for a codec to encode."""

    messages: Sequence[Message]
    tools: Sequence[ToolSpec]
    params: GenerationParams
    stream: bool
    compartment_id: str | None = None
    """The OCI compartment of the call, for an API that names it in the body."""
    grounding: Grounding | None = None
    """The call's documents (``documents=``), for a codec that can send them."""


class StreamDecoder(Protocol):
    """Decodes one streamed answer: ``feed`` each JSON event, then ``close``."""

    @property
    def finished(self) -> bool:
        """Whether the model's finish has been seen."""
        ...

    def feed(self, data: Mapping[str, Any]) -> list[StreamEvent]:
        """The events one JSON event of the stream makes."""
        ...

    def close(self) -> StreamEvent:
        """The final ``done=True`` event."""
        ...


class ChatCodec(Protocol):
    """One chat API's wire format."""

    @property
    def path(self) -> str:
        """Where the API is, below the connection's base URL (``/chat/completions``)."""
        ...

    @property
    def api_format(self) -> str | None:
        """The format's name where the API has several (named in error hints)."""
        ...

    def encode(self, request: ChatRequest) -> dict[str, Any]:
        """The request body of one call."""
        ...

    def decode(self, body: Mapping[str, Any], request_id: str | None) -> ModelResponse:
        """A whole answer."""
        ...

    def stream_decoder(self, request_id: str | None) -> StreamDecoder:
        """A fresh decoder for one streamed answer."""
        ...
