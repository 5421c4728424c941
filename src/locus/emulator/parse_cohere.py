"""Parse COHERE (§2.4) and COHEREV2 (§2.5) ``chatRequest`` bodies into a :class:`Conversation`."""

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

__all__ = ["parse_cohere", "parse_coherev2", "result_text"]

_V1_ROLES = {"USER": "user", "CHATBOT": "assistant", "SYSTEM": "system"}
_V2_ROLES = {"USER": "user", "ASSISTANT": "assistant", "SYSTEM": "system"}
_PY_TYPES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "list": "array",
    "dict": "object",
}


def parse_cohere(request: Mapping[str, Any], model: str) -> Conversation:
    """The conversation in a COHERE (V1) chat request."""
    check_numbers(request)
    message = request.get("message")
    if not isinstance(message, str):
        raise bad_request("chatRequest.message is required and must be a string")
    turns: list[Turn] = []
    if isinstance(request.get("preambleOverride"), str):
        turns.append(Turn("system", request["preambleOverride"]))
    for raw in as_list(request.get("chatHistory") or [], "chatRequest.chatHistory"):
        turns.extend(_v1_turns(as_mapping(raw, "chatRequest.chatHistory[]")))
    if message:
        turns.append(Turn("user", message))
    turns.extend(_v1_results(request.get("toolResults") or []))
    return Conversation(
        model=model,
        turns=tuple(turns),
        tools=tuple(_v1_tool(t) for t in as_list(request.get("tools") or [], "chatRequest.tools")),
        max_tokens=optional_int(request, "maxTokens"),
        **response_format(request.get("responseFormat"), None),
    )


def parse_coherev2(request: Mapping[str, Any], model: str) -> Conversation:
    """The conversation in a COHEREV2 chat request."""
    check_numbers(request)
    turns: list[Turn] = []
    names: dict[str, str] = {}
    for raw in as_list(request.get("messages"), "chatRequest.messages"):
        turns.append(_v2_turn(as_mapping(raw, "chatRequest.messages[]"), names))
    choice = request.get("toolsChoice")
    return Conversation(
        model=model,
        turns=tuple(turns),
        tools=tuple(_v2_tool(t) for t in as_list(request.get("tools") or [], "chatRequest.tools")),
        tool_choice={"REQUIRED": "required", "NONE": "none"}.get(str(choice), "auto"),
        max_tokens=optional_int(request, "maxTokens"),
        **response_format(request.get("responseFormat"), None),
    )


def result_text(outputs: Any) -> str:
    """A tool's output as plain text: bare values of single-key objects, else compact JSON."""
    if isinstance(outputs, list):
        return ", ".join(result_text(item) for item in outputs)
    if isinstance(outputs, Mapping) and len(outputs) == 1:
        return result_text(next(iter(outputs.values())))
    if isinstance(outputs, str):
        return outputs
    return json.dumps(outputs, separators=(",", ":"))


def _v1_turns(entry: Mapping[str, Any]) -> list[Turn]:
    role = entry.get("role")
    if role == "TOOL":
        return _v1_results(entry.get("toolResults") or [])
    if role not in _V1_ROLES:
        raise bad_request(f"chatRequest.chatHistory[].role {role!r} is not valid")
    calls = tuple(_v1_call(raw) for raw in as_list(entry.get("toolCalls") or [], "toolCalls"))
    return [Turn(_V1_ROLES[str(role)], str(entry.get("message") or ""), calls=calls)]


def _v1_call(raw: Any) -> Call:
    call = as_mapping(raw, "toolCalls[]")
    parameters = as_mapping(call.get("parameters") or {}, "toolCalls[].parameters")
    return Call(str(call.get("name", "")), dict(parameters))


def _v1_results(raw: Any) -> list[Turn]:
    turns = []
    for item in as_list(raw, "chatRequest.toolResults"):
        result = as_mapping(item, "chatRequest.toolResults[]")
        call = _v1_call(result.get("call") or {})
        turns.append(Turn("tool", result_text(result.get("outputs")), tool_name=call.name))
    return turns


def _v1_tool(raw: Any) -> ToolDef:
    tool = as_mapping(raw, "chatRequest.tools[]")
    definitions = as_mapping(tool.get("parameterDefinitions") or {}, "parameterDefinitions")
    properties: dict[str, Any] = {}
    required = []
    for name, spec in definitions.items():
        spec = as_mapping(spec, f"parameterDefinitions.{name}")
        properties[name] = {"type": _PY_TYPES.get(str(spec.get("type")).lower(), "string")}
        if spec.get("isRequired"):
            required.append(name)
    schema = {"type": "object", "properties": properties, "required": required}
    return ToolDef(str(tool.get("name", "")), str(tool.get("description", "")), schema)


def _v2_turn(message: Mapping[str, Any], names: dict[str, str]) -> Turn:
    role = message.get("role")
    text = text_of_parts(message.get("content"), "TEXT", "chatRequest.messages[].content")
    if role == "TOOL":
        call_id = str(message.get("toolCallId", ""))
        return Turn("tool", text, call_id=call_id, tool_name=names.get(call_id, ""))
    if role not in _V2_ROLES:
        raise bad_request(f"chatRequest.messages[].role {role!r} is not valid")
    calls = tuple(_v2_call(raw) for raw in as_list(message.get("toolCalls") or [], "toolCalls"))
    names.update({call.id: call.name for call in calls})
    return Turn(_V2_ROLES[str(role)], text, calls=calls)


def _v2_call(raw: Any) -> Call:
    call = as_mapping(raw, "toolCalls[]")
    function = as_mapping(call.get("function") or {}, "toolCalls[].function")
    arguments = function.get("arguments") or "{}"
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else dict(arguments)
    except (ValueError, TypeError) as exc:
        raise bad_request("toolCalls[].function.arguments must be a JSON object") from exc
    return Call(str(function.get("name", "")), parsed, str(call.get("id", "")))


def _v2_tool(raw: Any) -> ToolDef:
    tool = as_mapping(raw, "chatRequest.tools[]")
    function = as_mapping(tool.get("function") or {}, "chatRequest.tools[].function")
    parameters = as_mapping(function.get("parameters") or {}, "function.parameters")
    return ToolDef(
        str(function.get("name", "")), str(function.get("description", "")), dict(parameters)
    )
