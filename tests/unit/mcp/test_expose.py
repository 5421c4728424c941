"""Locus tools served over MCP (``mcp_server``), spoken to by the official client in-process:
bad arguments, an unknown tool, a tool that raises or returns what is not JSON, two tools
with one name, and an agent served as a tool that pauses for approval."""

from __future__ import annotations

import mcp_types as types
import pytest
from mcp import Client

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall
from locus.mcp._expose import mcp_server
from locus.testing import ScriptedModel
from locus.tools import Tool, tool


@tool
def double(x: int) -> int:
    """Twice x.

    Args:
        x: a number
    """
    return 2 * x


@tool
def broken() -> str:
    """Always raises."""
    raise LookupError("the index is gone")


@tool
def opaque() -> object:
    """Returns what JSON cannot hold."""
    return object()


async def call(name: str, arguments: dict[str, object]) -> types.CallToolResult:
    """One call over a fresh in-process connection (anyio's scopes stay in one task)."""
    async with Client(mcp_server([double, broken, opaque])) as client:
        return await client.call_tool(name, arguments)


def _text(result: types.CallToolResult) -> str:
    return "".join(block.text for block in result.content if block.type == "text")


async def test_a_call_answers_the_value() -> None:
    result = await call("double", {"x": 4})
    assert not result.is_error and _text(result) == "8"


async def test_bad_arguments_are_an_error_result_naming_the_field() -> None:
    result = await call("double", {"x": "four"})
    assert result.is_error and "x:" in _text(result)
    result = await call("double", {})
    assert result.is_error and "x: Field required" in _text(result)


async def test_an_unknown_tool_is_an_error_result_listing_the_tools() -> None:
    result = await call("triple", {"x": 1})
    assert result.is_error
    assert "no tool named 'triple'" in _text(result) and "double, broken" in _text(result)


async def test_a_tool_that_raises_is_an_error_result() -> None:
    result = await call("broken", {})
    assert result.is_error and "LookupError: the index is gone" in _text(result)


async def test_a_value_that_is_not_json_is_an_error_result_naming_the_tool() -> None:
    result = await call("opaque", {})
    assert result.is_error
    assert "'opaque' returned a object that cannot be turned into JSON" in _text(result)


def test_two_tools_with_one_name_are_refused() -> None:
    other = Tool.from_schema("double", "another", {"type": "object"}, lambda args: 0)
    with pytest.raises(ConfigurationError, match="two tools are named 'double'"):
        mcp_server([double, other])


@tool(requires_approval=True)
def wipe(table: str) -> str:
    """Delete every row of a table.

    Args:
        table: the table
    """
    return f"wiped {table}"


async def test_an_agent_that_pauses_for_approval_is_an_error_result_not_null() -> None:
    model = ScriptedModel([ToolCall("c1", "wipe", {"table": "orders"}), "done"])
    agent = Agent(model, tools=[wipe], name="cleaner")
    async with Client(mcp_server(agent)) as client:
        result = await client.call_tool("cleaner", {"input": "clean up"})
    assert result.is_error
    assert "awaiting_approval" in _text(result) and "'wipe'" in _text(result)
