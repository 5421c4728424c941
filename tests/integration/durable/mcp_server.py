"""The MCP server the durable tests' agents use, written with the ``mcp`` SDK's ``MCPServer``
(FastMCP before mcp 2): ``python mcp_server.py stdio``, or ``python mcp_server.py http`` for
streamable HTTP on a loopback port it prints as its first stdout line. It imports no Locus.

Over HTTP every request must carry ``Authorization: Bearer $LOCUS_MCP_TOKEN`` (401
otherwise), so a test knows the agent's header reached the server. Each tool call appends
``"<tool> <args...> <pid>"`` to the file ``$LOCUS_TOOL_LOG``; ``hold`` waits until the file
``$LOCUS_RELEASE`` exists (a worker can be killed meanwhile); ``crash`` kills the server.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any, TypedDict

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("durable-test-tools")
RELEASE_WITHIN = 90


class Weather(TypedDict):
    city: str
    celsius: int


def _log(line: str) -> None:
    with open(os.environ["LOCUS_TOOL_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{line} {os.getpid()}\n")


@server.tool(structured_output=False)
def stock(item: str) -> str:
    """How many of an item are in stock."""
    _log(f"stock {item}")
    return f"12 {item}s"


@server.tool()
def weather(city: str) -> Weather:
    """Today's weather in a city (structured)."""
    _log(f"weather {city}")
    return {"city": city, "celsius": 21}


@server.tool(structured_output=False)
def ship(item: str, quantity: int) -> str:
    """Ship items (a tool to gate with an approval)."""
    _log(f"ship {item} {quantity}")
    return f"shipped {quantity} {item}s"


@server.tool(structured_output=False)
async def hold(what: str) -> str:
    """Hold something until released."""
    _log(f"hold-started {what}")
    release = Path(os.environ["LOCUS_RELEASE"])
    deadline = time.monotonic() + RELEASE_WITHIN
    while not release.exists():
        if time.monotonic() > deadline:  # (a test that never releases fails, not hangs)
            raise ToolError(f"{release} was not created within {RELEASE_WITHIN} s")
        await asyncio.sleep(0.05)
    _log(f"hold-done {what}")
    return f"held {what}"


@server.tool(structured_output=False)
def broken() -> str:
    """Always fails."""
    raise ToolError("the warehouse is closed")


@server.tool(structured_output=False)
def crash() -> str:
    """Kills this server mid-call."""
    _log("crash")
    os._exit(3)


@server.tool(structured_output=False)
def hidden() -> str:
    """Left out by the agents' ``exclude=``."""
    return "should not be offered"


def _with_bearer(app: Any, token: str) -> Any:
    """``app`` behind a check of the ``Authorization`` header (401 without the token)."""
    expected = f"Bearer {token}".encode()

    async def guarded(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and dict(scope["headers"]).get(b"authorization") != expected:
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": b"no"})
            return
        await app(scope, receive, send)

    return guarded


def serve_http() -> None:
    import uvicorn

    app = _with_bearer(server.streamable_http_app(), os.environ["LOCUS_MCP_TOKEN"])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    if sys.argv[1] == "stdio":
        server.run("stdio")
    else:
        serve_http()
