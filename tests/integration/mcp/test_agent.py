"""An agent on the emulator (real HTTP, real signatures) using an MCP server's tools end to
end: the Qwen-style DAC (tool calls as ``<tool_call>`` text) and an on-demand GENERIC model,
over stdio and streamable HTTP; a server killed mid-run is a tool error, and the next run
connects again. The emulator's rules script the model's calls."""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from tests.integration.mcp.conftest import stdio_server

from locus.agent import Agent
from locus.emulator import Emulator
from locus.mcp import MCPServerHTTP, MCPToolset
from locus.models.providers.oci import OCIAuthType, OCIModel

ORDER = {"order_id": 42, "customer": {"name": "Ann", "tier": "gold"}}
RULES = {
    "rules": [
        {
            "when": {"contains": "order", "tool_results": False},
            "reply": {"tool_calls": [{"name": "lookup_order", "arguments": ORDER}]},
        },
        {
            "when": {"contains": "crash", "tool_results": False},
            "reply": {"tool_calls": [{"name": "crash", "arguments": {}}]},
        },
        {"when": {"tool_results": True}, "reply": {"text": "Done: {results}"}},
    ]
}


@pytest.fixture(scope="module")
def mcp_emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    rules = tmp_path_factory.mktemp("mcp-rules") / "rules.json"
    rules.write_text(json.dumps(RULES))
    with Emulator(rules=str(rules)) as emu:
        yield emu


@pytest.fixture(params=["dac", "generic"])
async def model(request: pytest.FixtureRequest, mcp_emu: Emulator) -> AsyncIterator[OCIModel]:
    model_id = mcp_emu.endpoint("hermes")["ocid"] if request.param == "dac" else ON_DEMAND
    built = OCIModel(
        model_id,
        service_endpoint=mcp_emu.service_endpoint,
        compartment_id=mcp_emu.compartment_id,
        config_file=mcp_emu.config_file,
        profile_name=mcp_emu.profile,
        auth_type=OCIAuthType.API_KEY,
    )
    yield built
    await built.aclose()


ON_DEMAND = "meta.llama-3.3-70b-instruct"


@pytest.fixture(params=["stdio", "http"])
def server(
    request: pytest.FixtureRequest,
    http_process: Callable[[str], tuple[subprocess.Popen[str], str]],
) -> MCPToolset:
    if request.param == "stdio":
        return stdio_server()
    return MCPServerHTTP(http_process("http")[1])


async def test_an_agent_calls_an_mcp_tool_whose_schema_has_ref_and_any_of(
    model: OCIModel, server: MCPToolset
) -> None:
    async with Agent(model, tools=[server]) as agent:
        result = await agent.arun("Where is my order?")
    assert result.message == "Done: order 42 for Ann (gold): shipped"
    calls = [c for m in result.new_messages() for c in m.tool_calls]
    assert [c.name for c in calls] == ["lookup_order"]
    assert server._session is None  # closed with the agent


async def test_a_server_killed_mid_run_is_a_tool_error_and_the_next_run_reconnects(
    model: OCIModel, server: MCPToolset
) -> None:
    async with Agent(model, tools=[server]) as agent:
        crashed = await agent.arun("Please crash")
        assert crashed.message.startswith("Done: Error: the connection to MCP server")
        assert "broke during" in crashed.message
        if isinstance(server, MCPServerHTTP):
            return  # nothing restarts an HTTP server; stdio starts a new process
        again = await agent.arun("Where is my order?")
    assert again.message == "Done: order 42 for Ann (gold): shipped"


def test_run_sync_uses_mcp_tools_too(model: OCIModel) -> None:
    server = stdio_server()
    agent = Agent(model, tools=[server])
    first = agent.run_sync("Where is my order?")
    session = server._session
    second = agent.run_sync("Where is my order again?")
    assert first.message == second.message == "Done: order 42 for Ann (gold): shipped"
    assert session is not None and server._session is session  # one connection, two runs
    server.close_sync()
    assert server._session is None
