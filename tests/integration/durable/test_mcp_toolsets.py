"""A durable run of an agent with MCP servers does what ``agent.arun`` does, on a real
Temporal dev server with a worker in this process, the real MCP server of these tests
(``mcp_server.py``) over stdio and streamable HTTP, and a ``FunctionModel``: the model is
offered the same tools (prefix and exclude applied, schemas as ``arun`` sends them), and
the calls answer the same (text, structured content, an error result, a failed argument
check, unknown and excluded names), also after a handoff. The listing is recorded in
the history (a marker, or an activity without local activities), so the history replays
with the server gone."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from locus.agent import Agent, AgentResult
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.durable.temporal import create_worker, run, start_run
from locus.durable.temporal._workflow import AgentWorkflow
from locus.mcp import MCPServerHTTP, MCPServerStdio, MCPToolset
from locus.testing import FunctionModel
from tests.deadlines import read_line, within
from tests.integration.durable.agents import MCP_SERVER, SHOWN

CALLS = [
    ToolCall("a", "wh_stock", {"item": "lamp"}),
    ToolCall("b", "wh_weather", {"city": "Lisbon"}),
    ToolCall("c", "wh_broken", {}),
    ToolCall("d", "wh_stock", {"item": 5}),  # not a string: the argument check refuses it
    ToolCall("e", "wh_hidden", {}),  # excluded
    ToolCall("f", "nope", {}),
]
TOKEN = f"tok-{uuid.uuid4().hex}"


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "tools.log"


@pytest.fixture(params=["stdio", "http"])
def server(request: pytest.FixtureRequest, log: Path) -> Iterator[MCPToolset]:
    env = {"LOCUS_TOOL_LOG": str(log), "LOCUS_RELEASE": str(log.with_name("release"))}
    if request.param == "stdio":
        yield MCPServerStdio(sys.executable, [MCP_SERVER, "stdio"], env, **SHOWN)  # type: ignore[arg-type]
        return
    process = subprocess.Popen(
        [sys.executable, MCP_SERVER, "http"],
        env={**env, "LOCUS_MCP_TOKEN": TOKEN},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    port = read_line(process.stdout, "the MCP test server prints its port").strip()
    url = f"http://127.0.0.1:{port}/mcp"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    yield MCPServerHTTP(url, headers, **SHOWN)  # type: ignore[arg-type]
    process.kill()
    process.wait()
    process.stdout.close()


def calls_then_results(calls: Sequence[ToolCall]) -> FunctionModel:
    """Asks for ``calls``, then answers with the tool results it read, one per line."""

    def answer(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Any:
        results = [m.text for m in messages if m.role == "tool"]
        return "\n".join(results) if results else list(calls)

    return FunctionModel(answer)


def spec() -> str:
    return f"tests.durable_mcp:{uuid.uuid4().hex[:8]}"


def tool_messages(result: AgentResult[Any]) -> list[tuple[str | None, str, bool]]:
    return [(m.name, m.text, m.is_error) for m in result.messages if m.role == "tool"]


async def test_a_durable_run_offers_and_answers_mcp_tools_as_arun_does(
    client: Client, server: MCPToolset, log: Path
) -> None:
    model = calls_then_results(CALLS)
    agent = Agent(model, tools=[server], name="shop")
    plain = await agent.arun("go")
    queue, name = f"q-{uuid.uuid4().hex[:8]}", spec()
    async with create_worker(client, task_queue=queue, agents={name: agent}):
        durable = await within(run(client, name, "go", task_queue=queue), "the run's result")
    assert durable.text == plain.text
    assert tool_messages(durable) == tool_messages(plain)
    offered = [request.tools for request in model.requests]
    assert offered[2] == offered[0]  # the same specs, schemas included
    names = [tool.name for tool in offered[0]]
    assert names == ["wh_stock", "wh_weather", "wh_ship", "wh_hold", "wh_broken", "wh_crash"]
    assert tool_messages(durable)[:2] == [
        ("wh_stock", "12 lamps", False),
        ("wh_weather", '{"city":"Lisbon","celsius":21}', False),
    ]
    errors = [text for _, text, is_error in tool_messages(durable) if is_error]
    assert "the warehouse is closed" in errors[0]
    assert errors[1].startswith("Error: invalid arguments for tool 'wh_stock'")
    assert errors[2].startswith("Error: there is no tool named 'wh_hidden'; available tools:")
    assert len(errors) == 4
    ran = [line.rsplit(" ", 1)[0] for line in log.read_text().splitlines()]
    # once per run, refused calls never; a run's calls go out together, so in either order
    assert len(ran) == 4, ran
    assert sorted(ran[:2]) == sorted(ran[2:]) == ["stock lamp", "weather Lisbon"]
    assert server._session is None  # closed when the worker shut down


async def test_an_agent_handed_off_to_lists_its_own_mcp_tools(
    client: Client, server: MCPToolset
) -> None:
    def count_pens(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Any:
        results = [m.text for m in messages if m.role == "tool" and m.name == "wh_stock"]
        return results[0] if results else ToolCall("s", "wh_stock", {"item": "pen"})

    shop_model = FunctionModel(count_pens)
    shop = Agent(shop_model, tools=[server], name="shop")
    front = Agent(
        FunctionModel(lambda m, t: ToolCall("h", "transfer_to_shop", {})),
        name="front",
        handoffs=[shop],
    )
    queue, name = f"q-{uuid.uuid4().hex[:8]}", spec()
    async with create_worker(client, task_queue=queue, agents={name: front}):
        result = await within(run(client, name, "pens?", task_queue=queue), "the run's result")
    assert result.text == "12 pens" and result.last_agent == "shop"
    assert "wh_stock" in [tool.name for tool in shop_model.requests[0].tools]


@pytest.mark.parametrize("local", [True, False], ids=["local", "activities"])
async def test_the_listing_is_in_the_history_and_replays_without_the_server(
    client: Client, server: MCPToolset, local: bool
) -> None:
    agent = Agent(calls_then_results(CALLS[:1]), tools=[server], name="shop")
    queue, name = f"q-{uuid.uuid4().hex[:8]}", spec()
    async with create_worker(client, task_queue=queue, agents={name: agent}):
        started = await start_run(client, name, "go", task_queue=queue, local_activities=local)
        result = await within(started.result(), "the run's result")
    assert result.text == "12 lamps"
    history = await client.get_workflow_handle(started.id).fetch_history()
    kinds = Counter(
        "PATCH_MARKER"  # (the run's patches, asked when it starts)
        if e.marker_recorded_event_attributes.marker_name == "core_patch"
        else EventType.Name(e.event_type)
        for e in history.events
    )
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    if local:  # the listing and two model answers are markers; the call an activity
        assert kinds["EVENT_TYPE_MARKER_RECORDED"] == 3
        assert scheduled == ["locus.tool_call"]
    else:
        assert kinds["EVENT_TYPE_MARKER_RECORDED"] == 0
        assert scheduled[:2] == ["locus.toolset_list", "locus.model_call"]
    unreachable = MCPServerHTTP("http://127.0.0.1:9/mcp", connect_timeout=1)
    agent._config.toolbox.toolsets[:] = [unreachable]  # the server is gone
    replayer = Replayer(workflows=[AgentWorkflow], workflow_runner=UnsandboxedWorkflowRunner())
    replayed = await replayer.replay_workflow(history)
    assert replayed.replay_failure is None


async def test_two_tools_of_one_name_fail_the_run_as_arun_does(
    client: Client, server: MCPToolset
) -> None:
    other = MCPServerStdio(sys.executable, [MCP_SERVER, "stdio"], prefix="wh_")
    agent = Agent(calls_then_results([]), tools=[server, other], name="shop")
    with pytest.raises(ConfigurationError) as plain:
        await agent.arun("go")
    queue, name = f"q-{uuid.uuid4().hex[:8]}", spec()
    async with create_worker(client, task_queue=queue, agents={name: agent}):
        with pytest.raises(ConfigurationError) as durable:
            await within(run(client, name, "go", task_queue=queue), "the run's result")
    assert str(durable.value) == str(plain.value)
    assert "two tools are named 'wh_stock'" in str(durable.value)
