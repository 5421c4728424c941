"""What crosses Temporal's wire: plain JSON for messages, calls, answers, results and events.

Pure functions, no Temporal import. Nothing here holds a client, a key or a header: a
model answer is its message, usage and stop reason; a tool result is its text. Anything
that is not JSON (a model call keyword such as a client object) is refused with a
``ConfigurationError`` rather than pickled into the workflow's history.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from locus.core.citations import Citation
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall, dump_messages, load_messages
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec, as_tool_specs
from locus.core.usage import Usage

__all__ = [
    "approval_to_json",
    "arguments_to_json",
    "call_from_json",
    "call_to_json",
    "deps_to_json",
    "event_to_json",
    "kwargs_to_json",
    "messages_from_json",
    "messages_to_json",
    "response_from_json",
    "response_to_json",
    "specs_from_json",
    "specs_to_json",
    "sub_event_json",
]


def messages_to_json(messages: Sequence[Message]) -> list[Any]:
    """Messages as a JSON list (every field survives)."""
    items: list[Any] = json.loads(dump_messages(list(messages)))["messages"]
    return items


def messages_from_json(items: Sequence[Any]) -> list[Message]:
    return load_messages(json.dumps({"v": 1, "messages": list(items)}))


def call_to_json(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "name": call.name,
        "arguments": dict(call.arguments),
        "raw_arguments": call.raw_arguments,
    }


def call_from_json(item: Mapping[str, Any]) -> ToolCall:
    return ToolCall(
        str(item["id"]),
        str(item["name"]),
        dict(item.get("arguments") or {}),
        item.get("raw_arguments"),
    )


def specs_to_json(tools: Sequence[Any] | None) -> list[dict[str, Any]]:
    """Tool specs (``ToolSpec``, ``@tool`` objects, OpenAI dicts) as JSON objects."""
    return [
        {"name": s.name, "description": s.description, "parameters": dict(s.parameters)}
        for s in as_tool_specs(tools)
    ]


def specs_from_json(items: Sequence[Mapping[str, Any]]) -> list[ToolSpec]:
    return [ToolSpec(str(i["name"]), str(i["description"]), dict(i["parameters"])) for i in items]


def approval_to_json(rule: Any) -> bool | str:
    """A tool's ``requires_approval`` as JSON: ``True``, ``False``, or ``"ask"`` for a
    function (which only the worker may call: it is asked in an activity)."""
    return rule if isinstance(rule, bool) else "ask"


def kwargs_to_json(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Model call keywords as JSON; a keyword that is not JSON is a ``ConfigurationError``."""
    try:
        text = json.dumps(dict(kwargs))
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"a durable run sends its model call keywords through Temporal's history, so "
            f"they must be JSON values (numbers, strings, lists, dicts); got {sorted(kwargs)}: "
            f"{exc}"
        ) from None
    found: dict[str, Any] = json.loads(text)
    return found


def deps_to_json(value: Any) -> Any:
    """A durable run's ``deps=`` as the JSON value its workflow input carries: JSON values
    as they are (a tuple as a list), a pydantic model as its ``model_dump(mode="json")``
    (at any depth). Anything else is a ``ConfigurationError`` naming where it is and what
    to pass instead; nothing is pickled into the workflow's history."""
    try:
        return _json_value(value, "deps")
    except _NotJSON as exc:
        raise ConfigurationError(
            f"{exc}: a durable run's deps travel in its workflow input, in Temporal's "
            "history, so they must be JSON (a dict with string keys, a list, a string, a "
            "number, a bool or None) or a pydantic model, and must hold no secret. Pass what "
            "identifies the run's user or data (an id, say), and build objects such as a "
            "database pool or a client in the worker: create_worker(..., deps=lambda value: "
            "MyDeps(pool, value))"
        ) from None


def arguments_to_json(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments a person gives an approved call (``DurableRun.approve(arguments=)``) as
    JSON, as ``deps_to_json`` takes values; anything else is a ``ConfigurationError``."""
    try:
        found: dict[str, Any] = _json_value(dict(arguments), "arguments")
    except _NotJSON as exc:
        raise ConfigurationError(
            f"{exc}: an approved call's arguments travel in Temporal's history, so they must "
            "be JSON values (strings, numbers, bools, None, lists, dicts with string keys) or "
            "pydantic models, as the model's own arguments are"
        ) from None
    return found


class _NotJSON(ValueError):
    """A value that is not JSON (its text says where it is and what it is)."""


_SCALARS: dict[type, Any] = {bool: bool, str: str.__str__, int: int}
"""JSON scalars by their type (a subclass, an enum of them, as its plain value)."""


def _json_value(value: Any, where: str) -> Any:
    if value is None:
        return None
    scalar = next((make for kind, make in _SCALARS.items() if isinstance(value, kind)), None)
    if scalar is not None:
        return scalar(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            _refuse(f"{where} is {value!r}, not a JSON number")
        return float(value)
    if isinstance(value, Mapping):
        return {
            _json_key(key, where): _json_value(v, f"{where}[{key!r}]") for key, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_json_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return _json_model(value, where)


def _json_key(key: Any, where: str) -> str:
    if not isinstance(key, str):
        _refuse(f"{where} has the {type(key).__name__} key {key!r} (JSON keys are strings)")
    return str(key)


def _json_model(value: Any, where: str) -> Any:
    """A pydantic model as its JSON value; anything else is refused."""
    pydantic = sys.modules.get("pydantic")  # (a model's class has imported it)
    if pydantic is None or not isinstance(value, pydantic.BaseModel):
        _refuse(f"{where} is of type {type(value).__name__}")
    try:
        return value.model_dump(mode="json")
    except ValueError as exc:  # (pydantic_core.PydanticSerializationError)
        _refuse(f"{where} is a pydantic model ({type(value).__name__}) that is not JSON ({exc})")


def _refuse(what: str) -> NoReturn:
    raise _NotJSON(what)


def response_to_json(response: ModelResponse) -> dict[str, Any]:
    """A model answer as JSON: message, usage, stop reasons, model and request ids, and
    its citations when it has any (an answer without keeps its former JSON)."""
    out: dict[str, Any] = {
        "message": messages_to_json([response.message])[0],
        "usage": dict(response.usage),
        "stop_reason": response.stop_reason,
        "raw_stop_reason": response.raw_stop_reason,
        "model_id": response.model_id,
        "request_id": response.request_id,
    }
    if response.citations:
        out["citations"] = [c.to_dict() for c in response.citations]
    return out


def response_from_json(item: Mapping[str, Any]) -> ModelResponse:
    return ModelResponse(
        message=messages_from_json([item["message"]])[0],
        usage=Usage(**{k: int(v) for k, v in dict(item.get("usage") or {}).items()}),
        stop_reason=item.get("stop_reason"),
        raw_stop_reason=item.get("raw_stop_reason"),
        model_id=item.get("model_id"),
        request_id=item.get("request_id"),
        citations=tuple(Citation.from_dict(c) for c in item.get("citations") or ()),
    )


def event_to_json(event: Any) -> dict[str, Any]:
    """A run event as a small JSON object: its ``kind``, ``iteration`` and what it carries
    (text for deltas, the call and its result for tool events)."""
    out: dict[str, Any] = {"kind": event.kind, "iteration": getattr(event, "iteration", None)}
    text = getattr(event, "text", None)
    if isinstance(text, str):
        out["text"] = text
    call = getattr(event, "call", None)
    if isinstance(call, ToolCall):
        out["call"] = call_to_json(call)
    result = getattr(event, "result", None)
    if isinstance(result, Message):
        out["result"] = {"text": result.text, "is_error": result.is_error}
    response = getattr(event, "response", None)
    if isinstance(response, ModelResponse):
        out["text"] = response.text
    return out


def sub_event_json(agent_name: str, call_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """An event of a sub-agent's run (as JSON), as the calling run shows it: the
    ``SubAgentEvent`` of ``agent.run()`` (the sub-agent's name, the calling call's id)."""
    return {"kind": "sub_agent_event", "agent_name": agent_name, "call_id": call_id, "event": event}
