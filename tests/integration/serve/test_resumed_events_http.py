"""A resumed run's AG-UI stream is well formed and complete, on a real server (loopback).

AG-UI clients verify a run's events (the JS client's ``verifyEvents``; the Python
``ag-ui-protocol`` package has the types only): every ``STEP_FINISHED`` follows the
``STEP_STARTED`` of its step, no step is open at ``RUN_FINISHED``, and a tool call's
``START``/``ARGS``/``END``/``RESULT`` come in that order. A paused turn's calls are all
shown when it resumes: an approved one with what it returned, a denied one with the
denial the model reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from ag_ui.core import EventType

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.testing import FunctionModel
from locus.tools import tool
from tests.integration.serve.conftest import ServerThread
from tests.unit.serve.test_agui_routes import events_of

ran: list[str] = []


@tool(requires_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    ran.append(path)
    return f"deleted {path}"


def two_deletions(messages: list[Message], tools: list[ToolSpec]) -> Any:
    """Deletes /a and /b in one turn, then reports what the tools answered."""
    if messages[-1].role == "tool":
        answers = [m.content for m in messages if m.role == "tool"]
        return "done: " + " | ".join(str(a) for a in answers)
    return [
        ToolCall(id="call-a", name="delete_file", arguments={"path": "/a"}),
        ToolCall(id="call-b", name="delete_file", arguments={"path": "/b"}),
    ]


def _app() -> Any:
    ran.clear()
    return create_app({"ops": Agent(FunctionModel(two_deletions), tools=[delete_file])})


def check_well_formed(events: list[Any]) -> None:
    """The order rules an AG-UI client verifies (steps and tool calls)."""
    assert events[0].type == EventType.RUN_STARTED
    assert events[-1].type == EventType.RUN_FINISHED
    steps: list[str] = []
    calls: dict[str, str] = {}  # tool call id -> last event of it
    for item in events:
        if item.type == EventType.STEP_STARTED:
            assert item.step_name not in steps, f"{item.step_name} started twice"
            steps.append(item.step_name)
        elif item.type == EventType.STEP_FINISHED:
            assert item.step_name in steps, f"STEP_FINISHED {item.step_name} was never started"
            steps.remove(item.step_name)
        elif item.type == EventType.TOOL_CALL_START:
            assert item.tool_call_id not in calls
            calls[item.tool_call_id] = "start"
        elif item.type == EventType.TOOL_CALL_ARGS:
            assert calls.get(item.tool_call_id) == "start"
            calls[item.tool_call_id] = "args"
        elif item.type == EventType.TOOL_CALL_END:
            assert calls.get(item.tool_call_id) in ("start", "args")
            calls[item.tool_call_id] = "end"
        elif item.type == EventType.TOOL_CALL_RESULT:
            assert calls.get(item.tool_call_id) == "end", f"a result of {item.tool_call_id} unended"
            calls[item.tool_call_id] = "result"
        elif item.type == EventType.RUN_FINISHED:
            assert steps == [], f"steps still open at RUN_FINISHED: {steps}"


def _post_events(url: str, body: dict[str, Any]) -> list[Any]:
    answer = httpx.post(url, json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    return events_of(answer.text)


def _results(events: list[Any]) -> dict[str, str]:
    return {e.tool_call_id: e.content for e in events if e.type == EventType.TOOL_CALL_RESULT}


def _pause(server: ServerThread, thread: str) -> str:
    """Start a run that pauses for both calls; its run id (``RUN_FINISHED.locus.runId``)."""
    message = {"id": "m1", "role": "user", "content": "delete /a and /b"}
    body = {"threadId": thread, "runId": "r1", "messages": [message]}
    answer = httpx.post(f"{server.url}/v1/agents/ops/runs", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    events = events_of(answer.text)
    check_well_formed(events)
    assert [i.id for i in events[-1].outcome.interrupts] == ["call-a", "call-b"]
    frames = [f for f in answer.text.split("\n\n") if f.startswith("data: ")]
    run_id: str = json.loads(frames[-1].removeprefix("data: "))["locus"]["runId"]
    return run_id


def _check_resumed(events: list[Any]) -> None:
    check_well_formed(events)
    denial = "Not run: a person denied this call. Reason: not /b"
    assert _results(events) == {"call-a": "deleted /a", "call-b": denial}
    started = [e for e in events if e.type == EventType.TOOL_CALL_START]
    assert [(e.tool_call_id, e.tool_call_name) for e in started] == [
        ("call-b", "delete_file"),
        ("call-a", "delete_file"),
    ]
    arguments = [e.delta for e in events if e.type == EventType.TOOL_CALL_ARGS]
    assert [json.loads(a) for a in arguments] == [{"path": "/b"}, {"path": "/a"}]
    assert ran == ["/a"]
    assert events[-1].result == f"done: deleted /a | {denial}"


DECISIONS = {"call-a": {"approved": True}, "call-b": {"approved": False, "reason": "not /b"}}


def test_a_run_resumed_by_run_id_streams_every_call_in_a_started_step(
    serve: Callable[..., ServerThread],
) -> None:
    server = serve(_app())
    run_id = _pause(server, "t-by-id")
    url = f"{server.url}/v1/agents/ops/runs/{run_id}/approvals"
    _check_resumed(_post_events(url, {"approvals": DECISIONS}))


def test_a_run_resumed_on_its_thread_streams_every_call_in_a_started_step(
    serve: Callable[..., ServerThread],
) -> None:
    server = serve(_app())
    _pause(server, "t-agui")
    resume = [
        {"interruptId": call_id, "status": "resolved", "payload": payload}
        for call_id, payload in DECISIONS.items()
    ]
    body = {"threadId": "t-agui", "runId": "r2", "messages": [], "resume": resume}
    _check_resumed(_post_events(f"{server.url}/v1/agents/ops/runs", body))
    thread = httpx.get(f"{server.url}/v1/threads/t-agui", timeout=30).json()
    stored = [m["content"] for m in thread["messages"] if m["role"] == "tool"]
    assert stored == ["deleted /a", "Not run: a person denied this call. Reason: not /b"]
