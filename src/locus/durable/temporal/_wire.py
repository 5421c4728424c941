"""What crosses Temporal's wire: plain JSON for messages, calls, answers, results and events.

Pure functions, no Temporal import. Nothing here holds a client, a key or a header: a
model answer is its message, usage and stop reason; a tool result is its text. Anything
that is not JSON (a model call keyword such as a client object) is refused with a
``ConfigurationError`` rather than pickled into the workflow's history.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall, dump_messages, load_messages
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec, as_tool_specs
from locus.core.usage import Usage

__all__ = [
    "approval_to_json",
    "call_from_json",
    "call_to_json",
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


def response_to_json(response: ModelResponse) -> dict[str, Any]:
    """A model answer as JSON: message, usage, stop reasons, model and request ids."""
    return {
        "message": messages_to_json([response.message])[0],
        "usage": dict(response.usage),
        "stop_reason": response.stop_reason,
        "raw_stop_reason": response.raw_stop_reason,
        "model_id": response.model_id,
        "request_id": response.request_id,
    }


def response_from_json(item: Mapping[str, Any]) -> ModelResponse:
    return ModelResponse(
        message=messages_from_json([item["message"]])[0],
        usage=Usage(**{k: int(v) for k, v in dict(item.get("usage") or {}).items()}),
        stop_reason=item.get("stop_reason"),
        raw_stop_reason=item.get("raw_stop_reason"),
        model_id=item.get("model_id"),
        request_id=item.get("request_id"),
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
