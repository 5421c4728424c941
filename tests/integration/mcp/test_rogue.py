"""A hand-written stdio server that breaks the rules (``rogue_server.py``): results larger
than ``max_message_bytes``, a line that never ends, a listing that changes between its
pages, messages no client knows or that are no JSON-RPC, a server gone between list and
call, tool names in any script. Each is a clear error or just works, and the connection is
kept when it can be."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from locus.core.errors import ConfigurationError, ToolExecutionError, ToolTimeoutError
from locus.mcp import MCPConnectionError, MCPServerStdio

ROGUE = str(Path(__file__).with_name("rogue_server.py"))
GIANT_BYTES = 50 * 2**20


async def until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait (polling) until ``condition()`` is true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def rogue(mode: str, **options: object) -> MCPServerStdio:
    return MCPServerStdio(sys.executable, [ROGUE, mode], **options)  # type: ignore[arg-type]


@pytest.fixture
async def giant() -> AsyncIterator[MCPServerStdio]:
    server = rogue("giant", timeout=60)
    yield server
    await server.aclose()


@pytest.mark.parametrize("tool", ["giant", "giant_tail"])  # the id first, the id last
async def test_a_result_over_max_message_bytes_is_a_clear_error_and_the_connection_stays(
    giant: MCPServerStdio, tool: str
) -> None:
    pid = await giant.call_tool("pid")
    with pytest.raises(ToolExecutionError) as caught:
        await giant.call_tool(tool)
    text = str(caught.value)
    assert not isinstance(caught.value, MCPConnectionError)
    assert f"answered 'call tool {tool!r}' with a message of" in text
    size = int(text.split("with a message of ", 1)[1].split(" ", 1)[0])
    assert GIANT_BYTES < size < GIANT_BYTES + 200
    assert "more than max_message_bytes=16777216" in text and "connection stays open" in text
    assert caught.value.tool_name == tool
    assert await giant.call_tool("pid") == pid  # the same connection, the same process


async def test_a_notification_over_the_limit_is_dropped_and_the_call_answers(
    giant: MCPServerStdio,
) -> None:
    pid = await giant.call_tool("pid")
    assert await giant.call_tool("giant_note") == "small"
    assert await giant.call_tool("pid") == pid


async def test_a_line_that_never_ends_times_out_saying_why_and_the_next_call_restarts() -> None:
    server = rogue("giant", timeout=3)
    try:
        pid = await server.call_tool("pid")
        with pytest.raises(ToolTimeoutError) as caught:
            await server.call_tool("endless")
        assert "more than max_message_bytes=16777216 bytes, which was dropped" in str(caught.value)
        assert "starts the server again" in str(caught.value)
        assert await server.call_tool("pid") != pid
    finally:
        await server.aclose()


async def test_max_message_bytes_is_the_servers_own_and_checked() -> None:
    server = rogue("giant", max_message_bytes=2000)
    try:
        pid = await server.call_tool("pid")  # small messages pass
        with pytest.raises(ToolExecutionError, match="max_message_bytes=2000"):
            await server.call_tool("giant")
        assert await server.call_tool("pid") == pid
    finally:
        await server.aclose()
    for wrong in (0, -1, 1.5, True):
        with pytest.raises(ConfigurationError, match="max_message_bytes"):
            rogue("giant", max_message_bytes=wrong)


async def test_a_listing_that_changes_between_its_pages_is_listed_again() -> None:
    server = rogue("pages")  # its tools change once its first page is out
    try:
        names = [tool.name for tool in await server.list_tools()]
        assert names == ["a_v2", "b_v2", "c_v2", "d_v2", "e_v2"]
        assert [tool.name for tool in await server.list_tools()] == names  # and kept
        assert [tool.name for tool in await server.list_mcp_tools()] == names
    finally:
        await server.aclose()


@pytest.mark.parametrize("mode", ["unknown", "invalid"])
async def test_messages_no_client_knows_or_no_json_rpc_at_all_are_skipped(mode: str) -> None:
    """``unknown``: notifications of no known method or with invalid params, and a server
    request of an unknown method; ``invalid``: no JSON, JSON-RPC 1.0, a batch, an answer to
    an id never asked, bytes that are no UTF-8 (before, strict UTF-8 left the SDK's reader
    stuck: the handshake never finished)."""
    server = rogue(mode, timeout=20, connect_timeout=20)
    try:
        assert [tool.name for tool in await server.list_tools()] == ["pid"]
        pid = await server.call_tool("pid")
        assert pid.isdigit() and await server.call_tool("pid") == pid
    finally:
        await server.aclose()


async def test_a_server_gone_between_list_and_call_is_started_again_for_the_call() -> None:
    server = rogue("exit_after_list")  # exits once it has listed its tools
    try:
        (tool,) = await server.list_tools()
        first = server._session
        assert first is not None
        await until(lambda: not first.alive)  # its stdout ended: the connection is let go
        assert (await tool.invoke({})).isdigit()  # no error: a new server answers
        assert server._session is not first
    finally:
        await server.aclose()


async def test_tool_names_in_any_script_are_offered_and_called_by_their_own_name() -> None:
    server = rogue("unicode")
    try:
        tools = {tool.name: tool for tool in await server.list_tools()}
        assert len(tools) == 7 and "meteo" in tools and "naive_cafe" in tools and "full" in tools
        answered = {await tool.invoke({}) for name, tool in tools.items() if name != "pid"}
        assert answered == {"météo", "天気", "погода", "🔥fire", "naïve café", "ｆｕｌｌ"}
    finally:
        await server.aclose()


async def test_a_server_logging_on_its_stdout_leaves_no_error_in_our_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = str(Path(__file__).with_name("raw_server.py"))
    server = MCPServerStdio(sys.executable, [raw, "noisy"])  # a log line where JSON-RPC goes
    try:
        with caplog.at_level(logging.DEBUG):
            assert (await server.call_tool("pid")).isdigit()
    finally:
        await server.aclose()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert any("Starting the orders server" in r.getMessage() for r in caplog.records)
