"""Hostile and broken MCP servers for the tests, one per mode: ``python hostile_server.py MODE``.

Like ``server_fixture.py`` it imports only the ``mcp`` SDK (never Locus). Modes:

- ``exit``: writes a fatal message (and much before it) on stderr and exits 1 at startup.
- ``silent``: never answers anything (a program that is not an MCP server, or one stuck
  before its handshake); it ignores its stdin closing and SIGTERM is what ends it.
- ``serve``: a working server over stdio whose tools misbehave:
  ``crash`` (writes a traceback on stderr and exits 3 mid-call), ``close_stdout`` (closes
  its stdout and stays alive), ``hang`` (never answers), ``huge`` (a 3 MB text),
  ``flood`` (writes 4 MB on stderr, then answers), ``pid``, ``image_error`` (an error
  result holding an image), ``resource_blob`` (a binary embedded resource), ``empty_error``.
  It writes 2 MB on stderr while starting, so a client that does not drain stderr hangs.
- ``once FLAG``: ``serve``, the first time (it creates the file FLAG); then as ``exit``.
- ``names``: tools whose names OCI rejects or that collide once made OCI-safe, and schemas
  that are no valid JSON Schema.
- ``status CODE``: an HTTP server answering every request with that status (401, 503...;
  0: never answering), on a loopback port it prints as its first stdout line.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

import anyio
import mcp_types as types
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.server.stdio import stdio_server

EMPTY: dict[str, Any] = {"type": "object", "properties": {}}
HUGE_CHARS = 3_000_000
WIRE = os.readlink("/proc/self/fd/1")  # the stdout pipe, before the SDK moves it
FLOOD_BYTES = 4_000_000


def _text(text: str, *, error: bool = False) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=error)


def _flood(total: int) -> None:
    line = ("x" * 999 + "\n").encode()
    for _ in range(total // len(line)):
        os.write(2, line)


async def _crash(args: dict[str, Any]) -> types.CallToolResult:
    sys.stderr.write('Traceback (most recent call last):\n  File "server.py"\n')
    sys.stderr.write("KeyError: 'ORDERS_DB_URL'\n")
    sys.stderr.flush()
    os._exit(3)


async def _close_stdout(args: dict[str, Any]) -> types.CallToolResult:
    for fd in os.listdir("/proc/self/fd"):  # the SDK serves from a duplicate of fd 1
        if fd.isdigit() and os.readlink(f"/proc/self/fd/{fd}") == WIRE:
            os.close(int(fd))
    await anyio.sleep(3600)
    return _text("unreachable")


async def _hang(args: dict[str, Any]) -> types.CallToolResult:
    await anyio.sleep(3600)
    return _text("late")


async def _huge(args: dict[str, Any]) -> types.CallToolResult:
    return _text("y" * HUGE_CHARS)


async def _flood_call(args: dict[str, Any]) -> types.CallToolResult:
    _flood(FLOOD_BYTES)
    return _text("flooded")


async def _pid(args: dict[str, Any]) -> types.CallToolResult:
    return _text(str(os.getpid()))


async def _image_error(args: dict[str, Any]) -> types.CallToolResult:
    image = types.ImageContent(type="image", data="AAAA", mime_type="image/png")
    return types.CallToolResult(content=[image], is_error=True)


async def _resource_blob(args: dict[str, Any]) -> types.CallToolResult:
    blob = types.BlobResourceContents(uri="file:///r.bin", blob="AAAAAA==", mime_type="x/bin")
    return types.CallToolResult(content=[types.EmbeddedResource(type="resource", resource=blob)])


async def _empty_error(args: dict[str, Any]) -> types.CallToolResult:
    return types.CallToolResult(content=[], is_error=True)


SERVE = {
    "crash": _crash,
    "close_stdout": _close_stdout,
    "hang": _hang,
    "huge": _huge,
    "flood": _flood_call,
    "pid": _pid,
    "image_error": _image_error,
    "resource_blob": _resource_blob,
    "empty_error": _empty_error,
}

NAMES = [
    types.Tool(name="files.read", description="dots", input_schema=EMPTY),
    types.Tool(name="files/read", description="same once OCI-safe", input_schema=EMPTY),
    types.Tool(name="météo", description="not ASCII", input_schema=EMPTY),
    types.Tool(name="a" * 70 + "_one", description="long", input_schema=EMPTY),
    types.Tool(name="a" * 70 + "_two", description="long too", input_schema=EMPTY),
    types.Tool(
        name="bad_properties",
        description="properties is not an object",
        input_schema={"type": "object", "properties": ["a", "b"]},
    ),
    types.Tool(
        name="bad_required",
        description="required is not a list",
        input_schema={"type": "object", "properties": {"a": {"type": "string"}}, "required": "a"},
    ),
    types.Tool(name="good", description="a fine tool", input_schema=EMPTY),
]


def build(mode: str) -> Server[Any]:
    tools = (
        [types.Tool(name=name, description=name, input_schema=EMPTY) for name in SERVE]
        if mode == "serve"
        else NAMES
    )

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> Any:
        handler = SERVE.get(params.name)
        if handler is None:
            return _text(f"called {params.name}")
        return await handler(dict(params.arguments or {}))

    return Server("hostile", version="1.0", on_list_tools=list_tools, on_call_tool=call_tool)


async def serve(mode: str) -> None:
    server = build(mode)
    options = server.create_initialization_options(NotificationOptions(tools_changed=True))
    async with stdio_server() as (read, write):
        await server.run(read, write, options)


def serve_status(code: int) -> None:
    import socket

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def refuse(request: Request) -> PlainTextResponse:
        if code == 0:  # accepts the connection, reads the request, never answers
            await anyio.sleep(3600)
        return PlainTextResponse(f"status {code}", status_code=code)

    app = Starlette(routes=[Route("/mcp", refuse, methods=["GET", "POST", "DELETE"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


def main(mode: str) -> None:  # any further argument only marks the process for the tests
    if mode == "status":
        serve_status(int(sys.argv[2]))
        return
    if mode == "exit":
        _flood(20_000)
        sys.stderr.write("fatal: ORDERS_DB_URL is not set; export it and start again\n")
        sys.exit(1)
    if mode == "silent":
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        print(os.getpid(), file=sys.stderr, flush=True)
        while True:
            time.sleep(3600)
    if mode == "once":  # serves once; started again, it fails as "exit" does
        flag = sys.argv[2]
        if os.path.exists(flag):
            main("exit")
        open(flag, "w").close()
        mode = "serve"
    if mode == "serve":
        _flood(2_000_000)
    anyio.run(serve, mode)


if __name__ == "__main__":
    main(sys.argv[1])
