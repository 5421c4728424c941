"""``locus mcp serve module:obj``: serve Locus tools, or an agent, to MCP clients."""

from __future__ import annotations

import argparse
import importlib
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["load_target", "main"]


def main(argv: Sequence[str] | None = None, *, prog: str = "locus mcp") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Model Context Protocol tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve @tools or an Agent as an MCP server")
    serve.add_argument("target", help="module:obj, a list of @tool functions, a tool or an Agent")
    serve.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP host (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (0: any free one)")
    serve.add_argument("--name", default="locus", help="the server name clients see")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        target = load_target(args.target)
        from locus.mcp._expose import mcp_server

        server = mcp_server(target, name=args.name)
    except ConfigurationError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    if args.transport == "stdio":
        _serve_stdio(server)
    else:
        _serve_http(server, args.host, args.port)
    return 0


def load_target(spec: str) -> Any:
    """The object named by ``module:attribute`` (the current directory is importable)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigurationError(f"expected module:object, e.g. myapp.tools:TOOLS, not {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"cannot import {module_name!r}: {exc}") from exc
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise ConfigurationError(f"{module_name!r} has no attribute {attribute!r}")
        found = getattr(found, part)
    return found


def _serve_stdio(server: Any) -> None:
    import anyio
    from mcp.server.stdio import stdio_server

    async def run() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(run)


def _serve_http(server: Any, host: str, port: int) -> None:
    import uvicorn

    app = server.streamable_http_app(host=host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # connections wait in the backlog until the server accepts them
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/mcp"
    print(f"MCP server on {url} (streamable HTTP)", file=sys.stderr, flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
