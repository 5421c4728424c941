"""``locus mcp serve module:obj``: serve Locus tools, or an agent, to MCP clients.

Over HTTP, ``LOCUS_MCP_TOKEN`` turns bearer auth on: every request must carry
``Authorization: Bearer <token>``. Without it only a loopback address may be served: tools
that act (write a database, send mail) are never offered to the network with no auth.
"""

from __future__ import annotations

import argparse
import hmac
import importlib
import json
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from locus.cli import code_error, listen_error, port, shadow_hint
from locus.core.errors import ConfigurationError

__all__ = ["load_target", "main"]


_EXAMPLES = """examples:
  %(prog)s shop_tools:TOOLS                              # over stdio
  %(prog)s shop_tools:TOOLS --transport http --port 8000 # http://127.0.0.1:8000/mcp
  %(prog)s support:agent --transport http                # an agent as one tool
  LOCUS_MCP_TOKEN=... %(prog)s shop_tools:TOOLS --transport http --host 0.0.0.0
"""

TOKEN_ENV = "LOCUS_MCP_TOKEN"
"""The bearer token HTTP clients must send (unset: loopback only)."""


def main(argv: Sequence[str] | None = None, *, prog: str = "locus mcp") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Model Context Protocol tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="serve")
    serve = commands.add_parser(
        "serve",
        help="serve @tools or an Agent as an MCP server",
        description="Serve a list of @tool functions, one tool, or an Agent (as one tool\n"
        "taking input) to MCP clients (docs/mcp.md).",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "target",
        metavar="module:obj",
        help="a list of @tool functions, a tool or an Agent, as module:name or "
        "path/file.py:name (the current directory is importable)",
    )
    serve.add_argument(
        "--transport",
        choices=["stdio", "http"],
        default="stdio",
        help="stdio (default) for a client that starts this process, or streamable HTTP",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help=f"HTTP host (default 127.0.0.1; another address needs ${TOKEN_ENV})",
    )
    serve.add_argument(
        "--port", type=port, default=8000, help="HTTP port (default 8000; 0: any free one)"
    )
    serve.add_argument(
        "--name", default="locus", help="the server name clients see (default locus)"
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:  # the SDK (and the standard modules it needs) before a user's module can shadow them
        for name in ("mcp.server.lowlevel", "mcp.server.stdio", "mcp_types"):
            importlib.import_module(name)
    except ImportError as exc:
        print(f"{prog}: {exc.name} is missing: pip install 'locus-oci[mcp]'", file=sys.stderr)
        return 2
    token = os.environ.get(TOKEN_ENV) or None
    if args.transport == "http" and token is None and not _loopback(args.host):
        print(
            f"{prog}: serving tools on {args.host} needs auth: set {TOKEN_ENV} (clients then "
            "send 'Authorization: Bearer <token>'), or serve on 127.0.0.1",
            file=sys.stderr,
        )
        return 2
    try:
        target = load_target(args.target)
        from locus.mcp._expose import mcp_server

        server = mcp_server(target, name=args.name)
    except ConfigurationError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    except _LoadFailed as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
    try:
        if args.transport == "stdio":
            _serve_stdio(server)
            return 0
        try:
            sock = _bind(args.host, args.port)
        except OSError as exc:
            print(f"{prog}: {listen_error(exc, args.host, args.port)}", file=sys.stderr)
            return 1
        _serve_http(server, args.host, sock, token)
    except KeyboardInterrupt:
        pass  # Ctrl-C stops the server, as SIGTERM does: a clean stop
    return 0


class _LoadFailed(Exception):
    """The user's module raised while it was imported."""


def load_target(spec: str) -> Any:
    """The object named by ``module:attribute`` or ``path/file.py:attribute`` (the
    current directory is importable)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigurationError(f"expected module:object, e.g. myapp.tools:TOOLS, not {spec!r}")
    if module_name.endswith(".py"):
        if not os.path.isfile(module_name):
            raise ConfigurationError(f"{spec!r}: there is no file {module_name}")
        folder, _, file_name = module_name.rpartition("/")
        sys.path.insert(0, os.path.abspath(folder or "."))
        module_name = file_name.removesuffix(".py")
    elif os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"cannot import {module_name!r}: {exc}") from exc
    except (TypeError, ValueError) as exc:  # a relative or empty module name
        raise ConfigurationError(f"{spec!r}: {module_name!r} is not a module name") from exc
    except Exception as exc:
        raise _LoadFailed(f"loading {spec} failed: {code_error(exc)}") from exc
    for part in attribute.split("."):
        if not hasattr(found, part):
            hint = shadow_hint(module_name)
            raise ConfigurationError(f"{module_name!r} has no attribute {attribute!r}{hint}")
        found = getattr(found, part)
    return found


def _serve_stdio(server: Any) -> None:
    import anyio
    from mcp.server.stdio import stdio_server

    async def run() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(run)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)  # connections wait in the backlog until the server accepts them
    except OSError:
        sock.close()
        raise
    return sock


def _serve_http(server: Any, host: str, sock: socket.socket, token: str | None) -> None:
    import uvicorn

    app = server.streamable_http_app(host=host)
    if token is not None:
        app = _BearerAuth(app, token)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/mcp"
    auth = f"bearer auth from {TOKEN_ENV}" if token else "no auth: loopback only"
    print(f"MCP server on {url} (streamable HTTP, {auth})", file=sys.stderr, flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


def _loopback(host: str) -> bool:
    from locus.serve._guard import is_loopback

    return is_loopback(host)


class _BearerAuth:
    """ASGI: HTTP requests without ``Authorization: Bearer <token>`` get a 401."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": f"unauthorized: send Authorization: Bearer <{TOKEN_ENV}>"})
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b"Bearer"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})

    def _allowed(self, scope: Any) -> bool:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                return hmac.compare_digest(value, self.expected)
        return False
