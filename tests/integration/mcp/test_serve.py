"""``locus mcp serve`` as a real process, spoken to by the official ``mcp`` client (stdio and
streamable HTTP), and by our own client."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from tests.deadlines import read_line

from locus.mcp import MCPServerHTTP, MCPServerStdio

ROOT = str(Path(__file__).resolve().parents[3])
TOOLS = "tests.integration.mcp.served:TOOLS"
AGENT = "tests.integration.mcp.served:AGENT"


def serve_args(target: str, *more: str) -> list[str]:
    return ["-m", "locus.cli", "mcp", "serve", target, *more]


@pytest.fixture
def http_serve() -> Iterator[Any]:
    started: list[subprocess.Popen[str]] = []

    def start(target: str) -> str:
        args = [sys.executable, *serve_args(target, "--transport", "http", "--port", "0")]
        process = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        started.append(process)
        assert process.stderr is not None
        line = read_line(process.stderr, "the MCP server says where it listens")
        assert "MCP server on http://" in line, line
        return line.split()[3]

    yield start
    for process in started:
        process.kill()
        process.wait()
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture(params=["stdio", "http"])
def official_client(request: pytest.FixtureRequest, http_serve: Any) -> Any:
    """``official_client(target)``: the official client (not entered) on ``locus mcp serve``."""

    def connect(target: str) -> Client:
        if request.param == "stdio":
            params = StdioServerParameters(
                command=sys.executable, args=serve_args(target), cwd=ROOT
            )
            return Client(params)
        return Client(http_serve(target))

    return connect


async def test_the_official_client_lists_and_calls_locus_tools(official_client: Any) -> None:
    async with official_client(TOOLS) as client:
        await _lists_and_calls(client)


async def _lists_and_calls(client: Client) -> None:
    listed = {t.name: t for t in (await client.list_tools()).tools}
    assert sorted(listed) == ["ship", "stock"]
    schema = listed["ship"].input_schema
    assert schema["required"] == ["item", "quantity", "to"]
    assert schema["properties"]["speed"]["enum"] == ["slow", "fast"]
    to = {"city": "Lisbon", "country": "PT"}
    result = await client.call_tool("ship", {"item": "book", "quantity": 2, "to": to})
    assert not result.is_error
    assert _text(result) == "2 x book to Lisbon, PT (slow)"
    result = await client.call_tool("stock", {"item": "pen"})
    assert result.structured_content == {"pen": 12}


async def test_failures_are_error_results(official_client: Any) -> None:
    async with official_client(TOOLS) as client:
        raised = await client.call_tool("stock", {"item": "unicorn"})
        invalid = await client.call_tool("ship", {"item": "book"})
    assert raised.is_error and "LookupError: no such item" in _text(raised)
    assert invalid.is_error and "quantity" in _text(invalid)


async def test_an_agent_is_served_as_one_tool(official_client: Any) -> None:
    async with official_client(AGENT) as client:
        listed = (await client.list_tools()).tools
        result = await client.call_tool("shouter", {"input": "hello"})
    assert [t.name for t in listed] == ["shouter"]
    assert _text(result) == "HELLO!"


async def test_our_client_on_our_server_over_both_transports(http_serve: Any) -> None:
    stdio = MCPServerStdio(sys.executable, serve_args(TOOLS), cwd=ROOT)
    http = MCPServerHTTP(http_serve(TOOLS))
    for server in (stdio, http):
        async with server:
            tools = {t.name: t for t in await server.list_tools()}
            assert await tools["stock"].invoke({"item": "ink"}) == {"ink": 12}


def test_a_bad_target_is_a_clear_error() -> None:
    done = subprocess.run(
        [sys.executable, *serve_args("tests.integration.mcp.served:NOPE")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "has no attribute 'NOPE'" in done.stderr


def _text(result: Any) -> str:
    return "".join(block.text for block in result.content if block.type == "text")
