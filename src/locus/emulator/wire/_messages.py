"""Chat messages as GENERIC, COHEREV2 and OpenAI send them: a role, text parts, tool calls.

The three formats differ only in field names (``toolCallId``/``tool_call_id``), role
names and how a tool call is written, so one reader serves all three.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from locus.emulator._conversation import Call, Turn
from locus.emulator._errors import bad_request
from locus.emulator.wire._fields import as_list, as_mapping, text_of_parts

__all__ = ["MessageFields", "parse_messages"]


@dataclass(frozen=True, slots=True)
class MessageFields:
    """Where one wire format keeps the parts of a message, and how it writes a tool call."""

    where: str
    roles: Mapping[str, str]
    tool_role: str
    call_id: str
    calls: str
    text_type: str
    parse_call: Callable[[Any], Call]
    bad_role: str = "is not valid"


def parse_messages(raw: Any, fields: MessageFields) -> tuple[Turn, ...]:
    """The turns of a message list; a tool result is named after the call it answers."""
    names: dict[str, str] = {}
    messages = as_list(raw, fields.where)
    return tuple(_turn(as_mapping(m, f"{fields.where}[]"), fields, names) for m in messages)


def _turn(message: Mapping[str, Any], fields: MessageFields, names: dict[str, str]) -> Turn:
    role = message.get("role")
    text = text_of_parts(message.get("content"), fields.text_type, f"{fields.where}[].content")
    if role == fields.tool_role:
        call_id = str(message.get(fields.call_id, ""))
        return Turn("tool", text, call_id=call_id, tool_name=names.get(call_id, ""))
    if role not in fields.roles:
        raise bad_request(f"{fields.where}[].role {role!r} {fields.bad_role}")
    raw_calls = as_list(message.get(fields.calls) or [], fields.calls)
    calls = tuple(fields.parse_call(raw) for raw in raw_calls)
    names.update({call.id: call.name for call in calls})
    return Turn(fields.roles[str(role)], text, calls=calls)
