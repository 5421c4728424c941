"""``locus mcp serve --transport http`` and auth: another address than loopback is refused
without ``LOCUS_MCP_TOKEN``; with it, a client must send the bearer token (our client with
``headers=``), and one without it or with another is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from tests.deadlines import read_line
from tests.integration.mcp.test_serve import ROOT, TOOLS, serve_args

from locus.mcp import MCPConnectionError, MCPServerHTTP

TOKEN = "s3cret-mcp-token"


@pytest.fixture
def served_with_token() -> Iterator[str]:
    env = {**os.environ, "LOCUS_MCP_TOKEN": TOKEN}
    args = [sys.executable, *serve_args(TOOLS, "--transport", "http", "--port", "0")]
    process = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stderr is not None
    try:  # (killed however the test or these checks end)
        line = read_line(process.stderr, "the MCP server says where it listens")
        assert "(streamable HTTP, bearer auth from LOCUS_MCP_TOKEN)" in line, line
        assert TOKEN not in line
        yield line.split()[3]
    finally:
        process.kill()
        process.wait()
        process.stderr.close()


def test_another_address_without_a_token_is_refused_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if k != "LOCUS_MCP_TOKEN"}
    done = subprocess.run(
        [sys.executable, *serve_args(TOOLS, "--transport", "http", "--host", "0.0.0.0")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("locus mcp: serving tools on 0.0.0.0 needs auth: set ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


async def test_a_client_with_the_token_is_served(served_with_token: str) -> None:
    server = MCPServerHTTP(served_with_token, headers={"Authorization": f"Bearer {TOKEN}"})
    async with server:
        tools = {t.name: t for t in await server.list_tools()}
        assert await tools["stock"].invoke({"item": "ink"}) == {"ink": 12}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
async def test_a_client_without_the_token_is_refused(
    served_with_token: str, headers: dict[str, Any]
) -> None:
    server = MCPServerHTTP(served_with_token, headers=headers, connect_timeout=10)
    with pytest.raises(MCPConnectionError) as caught:
        async with server:
            await server.list_tools()
    assert "401" in str(caught.value) or "nauthorized" in str(caught.value)
