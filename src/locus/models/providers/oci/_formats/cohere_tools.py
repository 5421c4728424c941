"""Tool definitions and tool results in the COHERE (V1) format."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from locus.core._call_ids import new_call_id
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.models.providers.oci._formats.schema import simplify_schema

__all__ = ["cohere_tool", "cohere_tool_call", "cohere_tool_call_ids", "cohere_tool_result"]

_PYTHON_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "array": "list",
    "object": "dict",
}


def cohere_tool(spec: ToolSpec) -> dict[str, Any]:
    """A ``CohereTool``: flat ``parameterDefinitions`` with lower-case python type names.

    Cohere V1 has no nested schemas or enums; enum values are added to the description
    so the model still sees them.
    """
    schema = simplify_schema(spec.parameters)
    properties = schema.get("properties")
    required = schema.get("required")
    # only names count: a malformed list (e.g. ``[[]]`` without properties) is ignored
    listed = required if isinstance(required, list) else []
    required_names = {name for name in listed if isinstance(name, str)}
    definitions = {
        name: _definition(sub if isinstance(sub, Mapping) else {}, name in required_names)
        for name, sub in (properties.items() if isinstance(properties, Mapping) else ())
    }
    tool: dict[str, Any] = {"name": spec.name, "description": spec.description}
    if definitions:
        tool["parameterDefinitions"] = definitions
    return tool


def _definition(prop: Mapping[str, Any], required: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    description = _description(prop)
    if description:
        out["description"] = description
    out["type"] = _python_type(prop)
    out["isRequired"] = required
    return out


def _description(prop: Mapping[str, Any]) -> str:
    text = str(prop.get("description") or "")
    enum = prop.get("enum")
    if isinstance(enum, list) and enum:
        choices = ", ".join(json.dumps(v) for v in enum)
        text = f"{text} (one of: {choices})" if text else f"one of: {choices}"
    return text


def _python_type(prop: Mapping[str, Any]) -> str:
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None:
        for key in ("anyOf", "oneOf"):
            branches = prop.get(key)
            if isinstance(branches, list) and branches and isinstance(branches[0], Mapping):
                return _python_type(branches[0])
    return _PYTHON_TYPES.get(kind, "str") if isinstance(kind, str) else "str"


def cohere_tool_call(call: ToolCall) -> dict[str, Any]:
    """A core call as a ``CohereToolCall`` (``parameters`` is an object)."""
    return {"name": call.name, "parameters": dict(call.arguments)}


def cohere_tool_result(result: Message, history: Sequence[Message]) -> dict[str, Any]:
    """A ``CohereToolResult``: the REAL call it answers (found by id) and its outputs."""
    call = _find_call(result, history)
    if call is not None:
        wire_call = cohere_tool_call(call)
    else:
        wire_call = {"name": result.name or "", "parameters": {}}
    return {"call": wire_call, "outputs": _outputs(result)}


def _find_call(result: Message, history: Sequence[Message]) -> ToolCall | None:
    # Nearest assistant turn first: deterministic Cohere ids repeat across turns.
    for message in reversed(history):
        for call in message.tool_calls:
            if call.id == result.tool_call_id:
                return call
    return None


def _outputs(result: Message) -> list[Any]:
    if result.is_error:
        return [{"error": result.text}]
    try:  # (NaN and Infinity are text to JSON: json would make numbers of them)
        value = json.loads(result.text, parse_constant=_not_a_number)
    except (ValueError, RecursionError):
        return [{"result": result.text}]
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return value
    return [{"result": value}]


def _not_a_number(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def cohere_tool_call_ids(count: int) -> list[str]:
    """Ids for a turn's Cohere calls, which have none: unique across turns too (random, as
    the text tool-call parser's), since an id names one call wherever a call is looked up
    by it (a durable run's decisions, a page's tool-call cards). The wire never carries
    them: Cohere pairs results with calls by name and parameters."""
    return [new_call_id("cohere_call") for _ in range(count)]
