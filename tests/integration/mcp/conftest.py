"""Our MCP test server (``server_fixture.py``) as a subprocess: over stdio, or on a loopback
HTTP port (streamable HTTP or SSE), killed after the test."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from tests.deadlines import read_line

from locus.mcp import MCPServerHTTP, MCPServerSSE, MCPServerStdio, MCPToolset

FIXTURE = str(Path(__file__).with_name("server_fixture.py"))


def stdio_server(**options: object) -> MCPServerStdio:
    return MCPServerStdio(sys.executable, [FIXTURE, "stdio"], **options)  # type: ignore[arg-type]


@pytest.fixture
def http_process() -> Iterator[Callable[[str], tuple[subprocess.Popen[str], str]]]:
    """``start("http" | "sse") -> (process, url)``; every process is killed after the test."""
    started: list[subprocess.Popen[str]] = []

    def start(kind: str) -> tuple[subprocess.Popen[str], str]:
        process = subprocess.Popen(
            [sys.executable, FIXTURE, kind], stdout=subprocess.PIPE, text=True
        )
        started.append(process)
        assert process.stdout is not None
        port = read_line(process.stdout, "the MCP test server prints its port").strip()
        assert port.isdigit(), f"the MCP test server did not start ({port!r})"
        return process, f"http://127.0.0.1:{port}/{'mcp' if kind == 'http' else 'sse'}"

    yield start
    for process in started:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(params=["stdio", "http", "sse"])
async def mcp_server(
    request: pytest.FixtureRequest, http_process: Callable[[str], tuple[object, str]]
) -> AsyncIterator[MCPToolset]:
    """Our test server over each transport, closed after the test."""
    server: MCPToolset
    if request.param == "stdio":
        server = stdio_server()
    else:
        _, url = http_process(request.param)
        server = MCPServerHTTP(url) if request.param == "http" else MCPServerSSE(url)
    yield server
    await server.aclose()
