"""A sub-agent's run over real HTTP: ``desk`` (its tool is ``clerk.as_tool()``, whose tool
is ``stock``) on the emulator, served by uvicorn; the AG-UI stream frames the clerk's run
with SUBAGENT_STARTED/FINISHED and shows its tool call; the OpenAI-compatible stream
shows the desk's answer only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from ag_ui.core import Event, EventType
from pydantic import TypeAdapter
from starlette.applications import Starlette

from locus.emulator import Emulator
from locus.serve import create_app
from tests.integration.serve.conftest import ServerThread
from tests.integration.serve.emulator_agent import desk

EVENTS: TypeAdapter[Any] = TypeAdapter(Event)
PROMPT = "Use clerk: how many pens are in stock?"


def sse_data(body: str) -> list[str]:
    return [f.removeprefix("data: ") for f in body.split("\n\n") if f.startswith("data: ")]


def test_the_agui_stream_shows_the_sub_agents_run(
    emu: Emulator, serve: Callable[[Starlette], ServerThread]
) -> None:
    server = serve(create_app({"desk": desk(emu.info)}))
    message = {"id": "m1", "role": "user", "content": PROMPT}
    run = {"threadId": "t1", "runId": "r1", "messages": [message], "tools": [], "context": []}
    response = httpx.post(f"{server.url}/v1/agents/desk/runs", json=run, timeout=30)
    assert response.status_code == 200
    events = [EVENTS.validate_python(json.loads(d)) for d in sse_data(response.text)]
    kinds = [e.type for e in events]
    caller = next(e for e in events if e.type == EventType.TOOL_CALL_START)
    assert caller.tool_call_name == "clerk" and caller.subagent_run_id is None
    started = events[kinds.index(EventType.SUBAGENT_STARTED)]
    assert (started.name, started.parent_tool_call_id) == ("clerk", caller.tool_call_id)
    sub = started.subagent_run_id
    inner = [e for e in events if e.type.name.startswith("TOOL_CALL") and e.subagent_run_id == sub]
    assert [e.type for e in inner] == [
        EventType.TOOL_CALL_START,
        EventType.TOOL_CALL_ARGS,
        EventType.TOOL_CALL_END,
        EventType.TOOL_CALL_RESULT,
    ]
    assert inner[0].tool_call_name == "stock" and inner[0].tool_call_id.startswith(f"{sub}:")
    assert inner[-1].content == "12"
    finished = events[kinds.index(EventType.SUBAGENT_FINISHED)]
    assert finished.subagent_run_id == sub and "12" in finished.result
    caller_result = next(
        e
        for e in events
        if e.type == EventType.TOOL_CALL_RESULT and e.tool_call_id == caller.tool_call_id
    )
    assert kinds.index(EventType.SUBAGENT_FINISHED) < events.index(caller_result)
    assert caller_result.content == finished.result
    assert kinds[-1] == EventType.RUN_FINISHED and "12" in events[-1].result


def test_the_openai_stream_shows_the_callers_answer_only(
    emu: Emulator, serve: Callable[[Starlette], ServerThread]
) -> None:
    server = serve(create_app({"desk": desk(emu.info)}))
    body = {"model": "desk", "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
    response = httpx.post(f"{server.url}/v1/chat/completions", json=body, timeout=30)
    chunks = [json.loads(d) for d in sse_data(response.text) if d != "[DONE]"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    # the desk's answer quotes the clerk's; the clerk's own answer is not streamed beside it
    assert text == "The result of clerk is The result of stock is 12."
