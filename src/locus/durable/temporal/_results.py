"""A run's ``AgentResult`` as the workflow's JSON result, and back on the client.

A typed output (``output_type``) crosses as its JSON form; the client, which does not
import the agent, gets that JSON value (a dict for a pydantic model) as ``output``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import to_jsonable_python

from locus.agent import AgentResult
from locus.agent._result import Metrics
from locus.core.usage import Usage
from locus.durable.temporal import _wire as wire

__all__ = ["result_from_json", "result_to_json"]


def result_to_json(result: AgentResult[Any]) -> dict[str, Any]:
    m = result.metrics
    return {
        "output": to_jsonable_python(result.output),
        "message": result.message,
        "stop_reason": result.stop_reason,
        "messages": wire.messages_to_json(result.messages),
        "metrics": {name: getattr(m, name) for name in Metrics.__slots__},
        "usage": dict(result.usage),
        "thread_id": result.thread_id,
        "response": None if result.response is None else wire.response_to_json(result.response),
        "history_from": result.history_from,
        "new_from": result.new_from,
        "last_agent": result.last_agent,
    }


def result_from_json(raw: Mapping[str, Any]) -> AgentResult[Any]:
    metrics = Metrics()
    for name, value in dict(raw.get("metrics") or {}).items():
        if name in Metrics.__slots__:
            setattr(metrics, name, value)
    response = raw.get("response")
    return AgentResult(
        output=raw.get("output"),
        message=str(raw.get("message") or ""),
        stop_reason=raw["stop_reason"],
        messages=wire.messages_from_json(raw.get("messages") or []),
        metrics=metrics,
        usage=Usage(**{k: int(v) for k, v in dict(raw.get("usage") or {}).items()}),
        thread_id=raw.get("thread_id"),
        response=None if response is None else wire.response_from_json(response),
        history_from=int(raw.get("history_from") or 0),
        new_from=int(raw.get("new_from") or 0),
        last_agent=str(raw.get("last_agent") or ""),
    )
