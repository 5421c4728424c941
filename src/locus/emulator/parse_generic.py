"""Parse a GENERIC ``chatRequest`` (wire-spec §2.2-2.3) into a :class:`Conversation`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from locus.emulator.conversation import Call, Conversation, ToolDef, Turn
from locus.emulator.errors import bad_request
from locus.emulator.validate import (
    as_list,
    as_mapping,
    check_numbers,
    optional_int,
    response_format,
    text_of_parts,
)

__all__ = ["parse_generic"]

_ROLES = {"SYSTEM": "system", "DEVELOPER": "system", "USER": "user", "ASSISTANT": "assistant"}
_CHOICES = {"AUTO": "auto", "NONE": "none", "REQUIRED": "required"}


def parse_generic(request: Mapping[str, Any], model: str) -> Conversation:
    """The conversation in a GENERIC chat request; 400 InvalidParameter if malformed."""
    check_numbers(request)
    turns: list[Turn] = []
    names: dict[str, str] = {}
    for raw in as_list(request.get("messages"), "chatRequest.messages"):
        turns.append(_turn(as_mapping(raw, "chatRequest.messages[]"), names))
    max_tokens = optional_int(request, "maxCompletionTokens") or optional_int(request, "maxTokens")
    return Conversation(
        model=model,
        turns=tuple(turns),
        tools=_tools(request.get("tools")),
        tool_choice=_tool_choice(request.get("toolChoice")),
        max_tokens=max_tokens,
        reasoning=request.get("reasoningEffort") not in (None, "NONE"),
        **response_format(request.get("responseFormat"), "jsonSchema"),
    )


def _turn(message: Mapping[str, Any], names: dict[str, str]) -> Turn:
    role = message.get("role")
    text = text_of_parts(message.get("content"), "TEXT", "chatRequest.messages[].content")
    if role == "TOOL":
        call_id = str(message.get("toolCallId", ""))
        return Turn("tool", text, call_id=call_id, tool_name=names.get(call_id, ""))
    if role not in _ROLES:
        raise bad_request(f"chatRequest.messages[].role {role!r} is not a valid role")
    calls = tuple(_call(raw) for raw in as_list(message.get("toolCalls") or [], "toolCalls"))
    names.update({call.id: call.name for call in calls})
    return Turn(_ROLES[str(role)], text, calls=calls)


def _call(raw: Any) -> Call:
    call = as_mapping(raw, "toolCalls[]")
    arguments = call.get("arguments") or "{}"
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
    except ValueError as exc:
        raise bad_request("toolCalls[].arguments must be a JSON-encoded object") from exc
    if not isinstance(parsed, dict):
        raise bad_request("toolCalls[].arguments must be a JSON-encoded object")
    return Call(str(call.get("name", "")), parsed, str(call.get("id", "")))


def _tools(raw: Any) -> tuple[ToolDef, ...]:
    tools = []
    for item in as_list(raw or [], "chatRequest.tools"):
        tool = as_mapping(item, "chatRequest.tools[]")
        if not isinstance(tool.get("name"), str):
            raise bad_request("chatRequest.tools[].name is required")
        parameters = as_mapping(tool.get("parameters") or {}, "chatRequest.tools[].parameters")
        tools.append(ToolDef(tool["name"], str(tool.get("description", "")), dict(parameters)))
    return tuple(tools)


def _tool_choice(raw: Any) -> str:
    if raw is None:
        return "auto"
    choice = as_mapping(raw, "chatRequest.toolChoice")
    kind = choice.get("type")
    if kind == "FUNCTION":
        return str(choice.get("name", ""))
    if kind not in _CHOICES:
        raise bad_request(f"chatRequest.toolChoice.type {kind!r} is not valid")
    return _CHOICES[str(kind)]
