"""Parse an OpenAI ``/chat/completions`` body into a :class:`Conversation`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from locus.emulator.conversation import Call, Conversation, ToolDef, Turn
from locus.emulator.errors import bad_request
from locus.emulator.validate import as_list, as_mapping, response_format, text_of_parts

__all__ = ["parse_openai"]

_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}


def parse_openai(body: Mapping[str, Any]) -> Conversation:
    """The conversation in an OpenAI chat-completions request."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("model is required")
    names: dict[str, str] = {}
    turns = [
        _turn(as_mapping(m, "messages[]"), names) for m in as_list(body.get("messages"), "messages")
    ]
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
    if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int)):
        raise bad_request("max_tokens must be an integer")
    return Conversation(
        model=model,
        turns=tuple(turns),
        tools=tuple(_tool(t) for t in as_list(body.get("tools") or [], "tools")),
        tool_choice=_tool_choice(body.get("tool_choice")),
        max_tokens=max_tokens,
        **response_format(body.get("response_format"), "json_schema"),
    )


def _turn(message: Mapping[str, Any], names: dict[str, str]) -> Turn:
    role = message.get("role")
    text = text_of_parts(message.get("content"), "text", "messages[].content")
    if role == "tool":
        call_id = str(message.get("tool_call_id", ""))
        return Turn("tool", text, call_id=call_id, tool_name=names.get(call_id, ""))
    if role not in _ROLES:
        raise bad_request(f"messages[].role {role!r} is not valid")
    calls = tuple(_call(raw) for raw in as_list(message.get("tool_calls") or [], "tool_calls"))
    names.update({call.id: call.name for call in calls})
    return Turn(_ROLES[str(role)], text, calls=calls)


def _call(raw: Any) -> Call:
    call = as_mapping(raw, "tool_calls[]")
    function = as_mapping(call.get("function") or {}, "tool_calls[].function")
    try:
        arguments = json.loads(function.get("arguments") or "{}")
    except ValueError as exc:
        raise bad_request("tool_calls[].function.arguments must be JSON") from exc
    if not isinstance(arguments, dict):
        raise bad_request("tool_calls[].function.arguments must be a JSON object")
    return Call(str(function.get("name", "")), arguments, str(call.get("id", "")))


def _tool(raw: Any) -> ToolDef:
    function = as_mapping(as_mapping(raw, "tools[]").get("function"), "tools[].function")
    parameters = as_mapping(function.get("parameters") or {}, "tools[].function.parameters")
    return ToolDef(
        str(function.get("name", "")), str(function.get("description", "")), dict(parameters)
    )


def _tool_choice(raw: Any) -> str:
    if raw is None:
        return "auto"
    if isinstance(raw, str):
        return raw
    function = as_mapping(as_mapping(raw, "tool_choice").get("function"), "tool_choice.function")
    return str(function.get("name", ""))
