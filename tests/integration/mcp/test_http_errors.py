"""Streamable HTTP servers that refuse (401, 403, 404, 5xx) or are not there: each is an
``MCPConnectionError`` with the HTTP status, what it means and what to do, never the
credentials; and a server restarted on its port is reached again. (A server killed
mid-call is in test_client.py.)"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from tests.deadlines import read_line
from tests.integration.mcp.conftest import FIXTURE
from tests.integration.mcp.test_hostile import HOSTILE

from locus.mcp import MCPConnectionError, MCPServerHTTP, MCPServerSSE

SECRET = "Bearer s3cr3t-t0ken"


@pytest.fixture
def status_server() -> Iterator[Callable[[int], str]]:
    """``start(code) -> url`` of a server answering every request with that HTTP status."""
    started: list[subprocess.Popen[str]] = []

    def start(code: int) -> str:
        process = subprocess.Popen(
            [sys.executable, HOSTILE, "status", str(code)], stdout=subprocess.PIPE, text=True
        )
        started.append(process)
        assert process.stdout is not None
        port = read_line(process.stdout, "the hostile server prints its port").strip()
        assert port.isdigit(), port
        return f"http://127.0.0.1:{port}/mcp"

    yield start
    for process in started:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (401, "HTTP 401.*refused the credentials.*headers="),
        (403, "HTTP 403.*not allowed"),
        (404, "HTTP 404.*check the URL"),
        (500, "HTTP 500.*the server failed"),
        (503, "HTTP 503.*the server failed"),
    ],
)
async def test_an_http_error_status_is_named_with_what_to_do(
    status_server: Callable[[int], str], code: int, says: str
) -> None:
    server = MCPServerHTTP(status_server(code), headers={"Authorization": SECRET})
    with pytest.raises(MCPConnectionError, match=says) as caught:
        await server.list_tools()
    assert caught.value.status_code == code
    assert "s3cr3t" not in str(caught.value) and "s3cr3t" not in repr(caught.value)
    await server.aclose()


async def test_an_sse_server_refusing_the_credentials_says_so_too(
    status_server: Callable[[int], str],
) -> None:
    server = MCPServerSSE(status_server(401), headers={"Authorization": SECRET})
    with pytest.raises(MCPConnectionError, match=r"HTTP 401.*headers=") as caught:
        await server.list_tools()
    assert caught.value.status_code == 401 and "s3cr3t" not in str(caught.value)
    await server.aclose()


async def test_a_server_that_never_answers_the_handshake_times_out(
    status_server: Callable[[int], str],
) -> None:
    server = MCPServerHTTP(status_server(0), connect_timeout=1)
    started = time.monotonic()
    with pytest.raises(MCPConnectionError) as caught:
        await server.list_tools()
    assert time.monotonic() - started < 5
    text = str(caught.value)
    assert "did not finish the MCP handshake within 1 s" in text
    assert "check the URL" in text and "connect_timeout=" in text
    await server.aclose()


async def test_nothing_listening_is_a_clear_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = MCPServerHTTP(f"http://127.0.0.1:{port}/mcp", headers={"Authorization": SECRET})
    with pytest.raises(MCPConnectionError, match=r"nothing answered.*is the server running"):
        await server.list_tools()
    await server.aclose()


async def test_a_server_restarted_on_its_port_is_reached_again(
    http_process: Callable[[str], tuple[subprocess.Popen[str], str]],
) -> None:
    process, url = http_process("http")
    server = MCPServerHTTP(url, timeout=30)
    first = await server.call_tool("pid")
    process.kill()
    process.wait()
    port = url.split(":")[2].split("/")[0]
    again = subprocess.Popen([sys.executable, FIXTURE, "http", port], stdout=subprocess.PIPE)
    try:
        assert again.stdout is not None
        told = read_line(again.stdout, "the restarted server prints its port")
        assert told.strip() == port.encode()
        try:
            second = await server.call_tool("pid")
        except MCPConnectionError as exc:
            # The SDK may still hold the dead server's connection (its notification stream
            # ends on its own schedule): the call that finds it broken fails, typed, since
            # nobody can tell whether it reached a server; the next one connects again.
            assert "broke during 'call tool" in str(exc), exc
            assert "the next call connects again" in str(exc), exc
            second = await server.call_tool("pid")
        assert second.isdigit() and second != first
        assert await server.call_tool("pid") == second
    finally:
        await server.aclose()
        again.kill()
        again.wait()
        assert again.stdout is not None
        again.stdout.close()
