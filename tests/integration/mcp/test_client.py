"""``MCPServerStdio`` / ``MCPServerHTTP`` / ``MCPServerSSE`` against our own MCP server, a real
subprocess (stdio) or a real HTTP server on loopback: listing, schemas, results, errors,
list changes, closing, and a server that dies mid-call."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from collections.abc import Callable

import pytest
from tests.integration.mcp.conftest import stdio_server

from locus.core.errors import ToolExecutionError, ToolTimeoutError
from locus.mcp import MCPConnectionError, MCPServerHTTP, MCPToolset

LISTED = ["lookup_order", "total_items", "picture", "read_doc", "weather", "fail"]


async def test_tools_are_listed_with_schemas_simplified_for_oci(mcp_server: MCPToolset) -> None:
    tools = {t.name: t for t in await mcp_server.list_tools()}
    assert set(LISTED) <= set(tools)
    order = tools["lookup_order"].spec.parameters
    text = json.dumps(order)
    assert "$ref" not in text and "$defs" not in text and "title" not in text
    assert order["properties"]["customer"]["properties"]["tier"]["enum"] == [
        "gold",
        "silver",
        "bronze",
    ]
    assert order["properties"]["note"]["type"] == "string"  # Optional[str] collapsed
    assert order["properties"]["order_id"]["anyOf"] == [{"type": "string"}, {"type": "integer"}]
    counts = tools["total_items"].spec.parameters["properties"]["counts"]
    assert counts["additionalProperties"] == {"type": "integer"}


async def test_calls_return_what_the_model_reads(mcp_server: MCPToolset) -> None:
    tools = {t.name: t for t in await mcp_server.list_tools()}
    order = {"order_id": "A-7", "customer": {"name": "Ann", "tier": "gold"}}
    assert await tools["lookup_order"].invoke(order) == "order A-7 for Ann (gold): shipped"
    counts = {"counts": {"apples": 2, "pears": 3}, "unit": "kg"}
    assert await tools["total_items"].invoke(counts) == "5 kg"
    assert await tools["picture"].invoke({}) == "[image image/png, 68 bytes]"
    doc = "[resource file:///notes.txt (text/plain)]\nGate B12"
    assert await tools["read_doc"].invoke({}) == doc
    assert await tools["weather"].invoke({}) == {"city": "Lisbon", "celsius": 21}


async def test_an_error_result_is_a_tool_error(mcp_server: MCPToolset) -> None:
    with pytest.raises(ToolExecutionError, match="the warehouse is closed") as caught:
        await mcp_server.call_tool("fail")
    assert not isinstance(caught.value, MCPConnectionError)


async def test_arguments_are_checked_against_the_schema_before_the_call(
    mcp_server: MCPToolset,
) -> None:
    tools = {t.name: t for t in await mcp_server.list_tools()}
    with pytest.raises(Exception, match="customer"):
        await tools["lookup_order"].invoke({"order_id": 1})


async def test_a_list_change_is_seen_by_the_next_listing(mcp_server: MCPToolset) -> None:
    assert "extra" not in [t.name for t in await mcp_server.list_tools()]
    assert await mcp_server.call_tool("add_tool") == "added"
    async with asyncio.timeout(30):  # the notification comes on its own stream, after the answer
        while mcp_server._tools is not None:  # (2 s was all it had, then listed the cache)
            await asyncio.sleep(0.01)
    names = [t.name for t in await mcp_server.list_tools()]
    assert "extra" in names
    extra = next(t for t in await mcp_server.list_tools() if t.name == "extra")
    assert await extra.invoke({}) == "extra called"


async def test_the_listing_is_cached(mcp_server: MCPToolset) -> None:
    first = await mcp_server.list_tools()
    second = await mcp_server.list_tools()
    assert [id(t) for t in first] == [id(t) for t in second]


async def test_include_exclude_and_prefix() -> None:
    server = stdio_server(include=["weather", "fail", "pid"], exclude=["pid"], prefix="shop_")
    async with server:
        tools = await server.list_tools()
        assert sorted(t.name for t in tools) == ["shop_fail", "shop_weather"]
        weather = next(t for t in tools if t.name == "shop_weather")
        assert await weather.invoke({}) == {"city": "Lisbon", "celsius": 21}


async def test_one_connection_is_shared_and_closed_by_aclose() -> None:
    server = stdio_server()
    first = await server.call_tool("pid")
    assert await server.call_tool("pid") == first
    await server.aclose()
    assert not os.path.exists(f"/proc/{first}") or _zombie(int(first))
    assert await server.call_tool("pid") != first  # used again after closing: a new process
    await server.aclose()


async def test_a_server_that_dies_mid_call_is_an_error_and_the_next_call_reconnects() -> None:
    server = stdio_server()
    first = await server.call_tool("pid")
    with pytest.raises(MCPConnectionError, match="broke during"):
        await server.call_tool("crash")
    second = await server.call_tool("pid")
    assert second != first
    await server.aclose()


async def test_killing_the_server_during_a_slow_call_ends_the_call() -> None:
    server = stdio_server(timeout=600)
    pid = int(await server.call_tool("pid"))
    call = asyncio.create_task(server.call_tool("slow"))
    await asyncio.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(MCPConnectionError):
        await asyncio.wait_for(call, 30)  # not the 60 s the tool would take, nor 600
    assert int(await server.call_tool("pid")) != pid
    await server.aclose()


async def test_killing_an_http_server_during_a_call_ends_the_call(
    http_process: Callable[[str], tuple[subprocess.Popen[str], str]],
) -> None:
    process, url = http_process("http")
    server = MCPServerHTTP(url, timeout=600)
    assert await server.call_tool("weather") == {"city": "Lisbon", "celsius": 21}
    call = asyncio.create_task(server.call_tool("slow"))
    await asyncio.sleep(0.2)
    process.kill()
    with pytest.raises(MCPConnectionError):
        await asyncio.wait_for(call, 30)
    with pytest.raises(MCPConnectionError, match="could not connect"):
        await server.call_tool("weather")  # nothing listens any more
    await server.aclose()


async def test_a_call_longer_than_the_timeout_is_a_tool_timeout() -> None:
    async with stdio_server(timeout=0.5) as server:
        with pytest.raises(ToolTimeoutError, match=r"within 0\.5 s"):
            await server.call_tool("slow")
        assert await server.call_tool("weather") == {"city": "Lisbon", "celsius": 21}


async def test_a_command_that_cannot_start_is_a_connection_error() -> None:
    server = stdio_server()
    server.command = "/nonexistent/mcp-server"
    with pytest.raises(MCPConnectionError, match="could not connect"):
        await server.list_tools()


def _zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] == "Z"
