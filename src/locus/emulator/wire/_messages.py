"""Chat messages as GENERIC, COHEREV2 and OpenAI send them: a role, text parts, tool calls.

The three formats differ only in field names (``toolCallId``/``tool_call_id``), role
names and how a tool call is written, so one reader serves all three.

As the real services do, a conversation in which an assistant's tool call is not
answered by a tool message (among the tool messages that follow it, before the next
other message or the end) is refused: 400 ``InvalidParameter`` naming the call ids.
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
    turns = tuple(_turn(as_mapping(m, f"{fields.where}[]"), fields, names) for m in messages)
    _check_answered(turns, fields)
    return turns


def _check_answered(turns: tuple[Turn, ...], fields: MessageFields) -> None:
    """400 when a call of an assistant turn has no result in the tool turns after it."""
    waiting: list[str] = []
    for turn in (*turns, None):
        if turn is not None and turn.role == "tool":
            if turn.call_id in waiting:
                waiting.remove(turn.call_id)
            continue
        if waiting:
            raise bad_request(
                f"{fields.where}: an assistant message with {fields.calls} must be followed "
                f"by {fields.tool_role} messages answering each of its calls; no "
                f"{fields.tool_role} message answers {', '.join(waiting)}"
            )
        if turn is not None and turn.calls:
            waiting = [call.id for call in turn.calls]


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
