"""Toolsets in durable runs, the parts with no server: what the worker answers for a run's
listing (specs, approval rules as JSON, which toolset lists each tool, ``arun``'s checks),
how it runs a call of a listed tool or answers one whose toolset cannot list now, how the
loop in the workflow sees the tools (no approval rule of its own), the MCP connection
error across Temporal, and the toolsets closed when a worker stops."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from locus.agent import Agent, RunContext
from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall
from locus.core.usage import Usage
from locus.durable.temporal import _wire as wire
from locus.durable.temporal._errors import application_error, locus_error
from locus.durable.temporal._stand_ins import Offered
from locus.durable.temporal._toolsets import approval_rule, closing, listing, run_call
from locus.mcp import MCPConnectionError
from locus.testing import ScriptedModel
from locus.tools import Tool, tool

PARAMETERS = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def big(call: ToolCall, ctx: RunContext[Any]) -> bool:
    return bool(call.arguments["n"] > 10)


class Listed:
    """A toolset of schema tools (as an MCP server's are), counting its lists and closes."""

    def __init__(self, *names: str, rule: Any = False, down: bool = False) -> None:
        self.names, self.rule, self.down = names, rule, down
        self.lists = self.closes = 0

    def __repr__(self) -> str:
        return f"Listed{self.names}"

    async def list_tools(self) -> Sequence[Tool[..., Any]]:
        self.lists += 1
        if self.down:
            raise MCPConnectionError("could not connect to MCP server x", server="MCP server x")
        return [
            Tool.from_schema(name, f"{name} n", PARAMETERS, _doubled, requires_approval=self.rule)
            for name in self.names
        ]

    async def aclose(self) -> None:
        self.closes += 1


async def _doubled(arguments: dict[str, Any]) -> str:
    return str(2 * arguments["n"])


@tool(requires_approval=True)
def own(n: int) -> int:
    """The agent's own tool."""
    return n


def context(agent: Agent[Any], call: ToolCall) -> RunContext[Any]:
    return RunContext(agent.name, "run", None, 1, None, [], Usage(), call.id)


async def test_the_listing_names_each_tools_toolset_and_approval_rule() -> None:
    agent = Agent(ScriptedModel([]), tools=[own, Listed("a", "b"), Listed("c", rule=big)])
    found = await listing(agent)
    assert [(t["name"], t["toolset"], t["approval"]) for t in found] == [
        ("a", 0, False),
        ("b", 0, False),
        ("c", 1, "ask"),
    ]
    assert found[0]["description"] == "a n" and found[0]["parameters"] == PARAMETERS
    assert wire.specs_from_json(found)[2].name == "c"


async def test_the_listing_refuses_what_arun_refuses() -> None:
    twice = Agent(ScriptedModel([]), tools=[Listed("a"), Listed("own", "a")])
    with pytest.raises(ConfigurationError, match="two tools are named 'a'"):
        await listing(twice)
    with pytest.raises(MCPConnectionError):
        await listing(Agent(ScriptedModel([]), tools=[Listed("a", down=True)]))


async def test_a_call_runs_on_its_toolsets_listing_with_the_argument_checks() -> None:
    first, second = Listed("a"), Listed("b")
    agent = Agent(ScriptedModel([]), tools=[first, second])
    call = ToolCall("x", "b", {"n": 4})
    done = await run_call(agent, call, context(agent, call), 1)
    assert (done.message.text, done.is_error) == ("8", False)
    assert (first.lists, second.lists) == (0, 1)  # only the toolset that lists the tool
    bad = ToolCall("y", "b", {"n": "four"})
    refused = await run_call(agent, bad, context(agent, bad), 1)
    assert refused.is_error and refused.message.text.startswith("Error: invalid arguments")
    with pytest.raises(ConfigurationError, match="every worker of a task queue"):
        await run_call(agent, call, context(agent, call), 5)


async def test_a_toolset_that_cannot_list_makes_the_call_a_tool_error() -> None:
    agent = Agent(ScriptedModel([]), tools=[Listed("a", down=True)])
    call = ToolCall("x", "a", {"n": 1})
    done = await run_call(agent, call, context(agent, call), 0)
    assert done.is_error
    assert done.message.text == "Error: could not connect to MCP server x"


async def test_approval_rules_are_read_in_the_worker() -> None:
    agent = Agent(ScriptedModel([]), tools=[own, Listed("c", rule=big)])
    assert await approval_rule(agent, "own", None) is True
    assert await approval_rule(agent, "c", 0) is big
    assert await approval_rule(agent, "gone", 0) is False
    down = Agent(ScriptedModel([]), tools=[Listed("c", rule=big, down=True)])
    assert await approval_rule(down, "c", 0) is True  # unknown now: a person decides


def test_the_loop_in_the_workflow_sees_no_approval_rule() -> None:
    offered = Offered("c", "ask", 2)
    assert offered.requires_approval is False
    assert offered.located(call={}) == {"call": {}, "toolset": 2}
    assert Offered("own", True).located(call={}) == {"call": {}}  # as recorded before
    assert [wire.approval_to_json(r) for r in (True, False, big)] == [True, False, "ask"]


def test_an_mcp_connection_error_crosses_temporal_typed_and_without_secrets() -> None:
    sent = MCPConnectionError("could not connect", server="MCP server http://h/mcp", tool_name="t")
    back = locus_error(application_error(sent))
    assert isinstance(back, MCPConnectionError)
    assert (str(back), back.server, back.tool_name) == (
        "could not connect",
        "MCP server http://h/mcp",
        "t",
    )


async def test_a_stopping_worker_closes_the_toolsets_of_its_agents_and_their_handoffs() -> None:
    shared, other = Listed("a"), Listed("b")
    expert = Agent(ScriptedModel([]), tools=[other], name="expert")
    front = Agent(ScriptedModel([]), tools=[shared], name="front", handoffs=[expert])
    async with closing([front, expert, front]):
        pass
    assert (shared.closes, other.closes) == (1, 1)
