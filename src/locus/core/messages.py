"""Provider-neutral conversation data: messages, tool calls and images.

These are the only types the agent loop and user code see; every model class
translates them to and from its wire format. ``dump_messages`` and ``load_messages``
store them as versioned JSON (``{"v": 1, "messages": [...]}``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]

__all__ = ["ImagePart", "Message", "Role", "ToolCall", "dump_messages", "load_messages"]


@dataclass(slots=True)
class ToolCall:
    """One call of a tool requested by a model; ``arguments`` is already a dict."""

    id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    raw_arguments: str | None = None
    """The model's argument text when it was not a JSON object (``arguments`` is then ``{}``)."""
    kind: Literal["tool_call"] = "tool_call"


@dataclass(slots=True, frozen=True)
class ImagePart:
    """An image attached to a user message: an ``https:`` or ``data:`` URL."""

    url: str
    detail: Literal["auto", "low", "high"] = "auto"


class _EncodedSlot:
    """Where the model codecs keep a message's encoded wire form (not a field: no part of
    equality, ``repr`` or ``dump_messages``; see ``locus.models._wire.message_cache``)."""

    __slots__ = ("_encoded",)
    _encoded: Any


@dataclass(slots=True, weakref_slot=True)
class Message(_EncodedSlot):
    """One conversation turn.

    ``content`` is the visible text (``None`` for an assistant turn that only
    calls tools); ``tool_calls`` are the calls an assistant turn makes;
    ``tool_call_id`` and ``name`` tie a tool result to its call.
    """

    role: Role
    content: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    reasoning: str | None = None
    images: tuple[ImagePart, ...] = ()
    is_error: bool = False
    kind: Literal["message"] = "message"

    @classmethod
    def system(cls, content: str) -> Message:
        return cls(role="system", content=content)

    @classmethod
    def user(cls, content: str, *, images: Sequence[ImagePart | str] = ()) -> Message:
        parts = tuple(p if isinstance(p, ImagePart) else ImagePart(p) for p in images)
        return cls(role="user", content=content, images=parts)

    @classmethod
    def assistant(
        cls,
        content: str | None = None,
        tool_calls: Sequence[ToolCall] | None = None,
        *,
        reasoning: str | None = None,
    ) -> Message:
        return cls(
            role="assistant",
            content=content,
            tool_calls=list(tool_calls or ()),
            reasoning=reasoning,
        )

    @classmethod
    def tool(
        cls,
        content: str,
        tool_call_id: str,
        name: str | None = None,
        *,
        is_error: bool = False,
    ) -> Message:
        return cls(
            role="tool",
            content=content,
            tool_call_id=tool_call_id,
            name=name,
            is_error=is_error,
        )

    @property
    def text(self) -> str:
        """The content as a string (empty when there is none)."""
        return self.content or ""


def dump_messages(messages: Sequence[Message]) -> bytes:
    """``messages`` as versioned JSON bytes: ``{"v": 1, "messages": [...]}``.

    Every field survives; tool-call arguments must be JSON values, or this raises
    ``SerializationError`` (``locus.core.errors``).
    """
    from locus.core._message_json import encode_messages

    return encode_messages(messages)


def load_messages(data: bytes | bytearray | memoryview | str) -> list[Message]:
    """The messages ``dump_messages`` wrote.

    Malformed JSON, an unknown format version, an unknown field or a wrong field type is a
    ``SerializationError`` that says which and where (``messages[3].tool_calls[0].id``).
    """
    from locus.core._message_json import decode_messages

    return decode_messages(data)
