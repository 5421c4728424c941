"""Approvals with nothing but HTTP, on a real server (loopback): a thread lists its
pending calls with the run id the approvals route takes, and a new prompt on a paused
thread is refused (409) naming the HTTP ways to finish or drop the paused run.
"""

from __future__ import annotations

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


def deleter(messages: list[Message], tools: list[ToolSpec]) -> Any:
    if messages[-1].role == "tool":
        return f"Result: {messages[-1].content}"
    return ToolCall(id="call-9", name="delete_file", arguments={"path": "/tmp/x"})


def _server(serve: Callable[..., ServerThread]) -> ServerThread:
    ran.clear()
    return serve(create_app({"ops": Agent(FunctionModel(deleter), tools=[delete_file])}))


def _pause(server: ServerThread, thread: str) -> None:
    message = {"id": "m1", "role": "user", "content": "delete /tmp/x"}
    body = {"threadId": thread, "runId": "r1", "messages": [message]}
    answer = httpx.post(f"{server.url}/v1/agents/ops/runs", json=body, timeout=30)
    assert events_of(answer.text)[-1].outcome.type == "interrupt"


def test_a_threads_pending_calls_carry_the_run_id_the_approvals_route_takes(
    serve: Callable[..., ServerThread],
) -> None:
    server = _server(serve)
    _pause(server, "t1")
    (pending,) = httpx.get(f"{server.url}/v1/threads/t1", timeout=30).json()["pending"]
    assert (pending["id"], pending["tool"]) == ("call-9", "delete_file")
    url = f"{server.url}/v1/agents/ops/runs/{pending['run_id']}/approvals"
    answer = httpx.post(url, json={"approvals": {"call-9": {"approved": True}}}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert events_of(answer.text)[-1].result == "Result: deleted /tmp/x"
    assert ran == ["/tmp/x"]
    assert httpx.get(f"{server.url}/v1/threads/t1", timeout=30).json()["pending"] == []


def test_a_new_prompt_on_a_paused_thread_is_told_the_http_ways(
    serve: Callable[..., ServerThread],
) -> None:
    server = _server(serve)
    _pause(server, "t2")
    (pending,) = httpx.get(f"{server.url}/v1/threads/t2", timeout=30).json()["pending"]
    body = {"model": "ops", "messages": [{"role": "user", "content": "hi"}], "thread_id": "t2"}
    answer = httpx.post(f"{server.url}/v1/chat/completions", json=body, timeout=30)
    assert answer.status_code == 409, answer.text
    message = answer.json()["error"]["message"]
    assert f"POST /v1/agents/ops/runs/{pending['run_id']}/approvals" in message
    assert "'resume'" in message and "DELETE /v1/threads/t2?agent=ops" in message
    assert "agent.resume" not in message and "agent.abandon" not in message

    run = {"threadId": "t2", "messages": [{"id": "m2", "role": "user", "content": "hi"}]}
    streamed = httpx.post(f"{server.url}/v1/agents/ops/runs", json=run, timeout=30)
    failed = events_of(streamed.text)[-1]
    assert failed.type == EventType.RUN_ERROR and failed.message == message

    assert httpx.delete(f"{server.url}/v1/threads/t2?agent=ops", timeout=30).status_code == 204
    again = httpx.post(f"{server.url}/v1/chat/completions", json=body, timeout=30)
    assert again.status_code == 200, again.text
    assert ran == []


def test_a_missing_thread_is_named_with_its_agent(serve: Callable[..., ServerThread]) -> None:
    server = _server(serve)
    answer = httpx.get(f"{server.url}/v1/threads/disc-1", timeout=30)
    assert answer.status_code == 404
    expected = "no thread 'disc-1' in the thread store of agent 'ops'"
    assert answer.json()["error"]["message"] == expected
