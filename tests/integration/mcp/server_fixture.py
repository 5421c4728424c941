"""An MCP server of our own for the tests, written with the ``mcp`` SDK's low-level server API.

Run as ``python server_fixture.py stdio`` (over its stdin and stdout) or
``python server_fixture.py http|sse [PORT]`` (streamable HTTP on ``/mcp`` or SSE on ``/sse``,
on a loopback port it chooses, or PORT, and prints as its first stdout line). It stands
alone: it imports only the ``mcp`` SDK, Starlette and uvicorn, never Locus, so it is a
server as foreign as any.

Some tools carry MCP annotations (read-only, non-destructive, destructive), the others none.
Its tools have the schemas that OCI models reject unless simplified: ``$ref`` to ``$defs``,
``anyOf`` (a real union and an optional), ``additionalProperties`` maps and enums. Others
answer with an image, an embedded resource, structured content and an error result; one
adds a tool (and says ``notifications/tools/list_changed``); one kills the server mid-call.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import Any

import anyio
import mcp_types as types
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.server.stdio import stdio_server
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler
from mcp.shared.subscriptions import ToolsListChanged

PNG_1x1 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

ORDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "$defs": {
        "Customer": {
            "type": "object",
            "title": "Customer",
            "properties": {
                "name": {"type": "string", "description": "the customer's name"},
                "tier": {"type": "string", "enum": ["gold", "silver", "bronze"]},
            },
            "required": ["name", "tier"],
        }
    },
    "properties": {
        "order_id": {
            "anyOf": [{"type": "string"}, {"type": "integer"}],
            "description": "the order number, as text or as a number",
        },
        "customer": {"$ref": "#/$defs/Customer"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
    },
    "required": ["order_id", "customer"],
    "additionalProperties": False,
}

TAGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "counts": {
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "description": "how many of each item",
        },
        "unit": {"type": "string", "enum": ["kg", "piece"]},
    },
    "required": ["counts", "unit"],
}

EMPTY: dict[str, Any] = {"type": "object", "properties": {}}

TOOLS = [
    types.Tool(
        name="lookup_order",
        description="Find an order.",
        input_schema=ORDER_SCHEMA,
        annotations=types.ToolAnnotations(read_only_hint=True),
    ),
    types.Tool(
        name="total_items",
        description="Add up item counts.",
        input_schema=TAGS_SCHEMA,
        annotations=types.ToolAnnotations(read_only_hint=False, destructive_hint=False),
    ),
    types.Tool(name="picture", description="A tiny picture.", input_schema=EMPTY),
    types.Tool(
        name="read_doc",
        description="An embedded document.",
        input_schema=EMPTY,
        annotations=types.ToolAnnotations(destructive_hint=True),
    ),
    types.Tool(name="weather", description="Structured weather.", input_schema=EMPTY),
    types.Tool(name="fail", description="Always fails.", input_schema=EMPTY),
    types.Tool(name="add_tool", description="Adds the 'extra' tool.", input_schema=EMPTY),
    types.Tool(name="crash", description="Kills this server mid-call.", input_schema=EMPTY),
    types.Tool(name="pid", description="This server's process id.", input_schema=EMPTY),
    types.Tool(name="slow", description="Answers after a minute.", input_schema=EMPTY),
]
EXTRA = types.Tool(name="extra", description="Added at run time.", input_schema=EMPTY)
_added: list[types.Tool] = []
BUS = InMemorySubscriptionBus()  # list changes for 2026-era clients (subscriptions/listen)


async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> Any:
    return types.ListToolsResult(tools=[*TOOLS, *_added])


def _text(text: str, *, error: bool = False) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=error)


async def _lookup_order(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    customer = args["customer"]
    note = f"; note: {args['note']}" if args.get("note") else ""
    return _text(
        f"order {args['order_id']} for {customer['name']} ({customer['tier']}): shipped{note}"
    )


async def _total_items(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    return _text(f"{sum(args['counts'].values())} {args['unit']}")


async def _picture(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    image = types.ImageContent(type="image", data=PNG_1x1, mime_type="image/png")
    return types.CallToolResult(content=[image])


async def _read_doc(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    doc = types.TextResourceContents(
        uri="file:///notes.txt", mime_type="text/plain", text="Gate B12"
    )
    return types.CallToolResult(content=[types.EmbeddedResource(type="resource", resource=doc)])


async def _weather(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    value = {"city": "Lisbon", "celsius": 21}
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=json.dumps(value))], structured_content=value
    )


async def _fail(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    return _text("the warehouse is closed", error=True)


async def _add_tool(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    if EXTRA not in _added:
        _added.append(EXTRA)
    await ctx.session.send_tool_list_changed()  # handshake-era clients
    await BUS.publish(ToolsListChanged())  # 2026-era clients
    return _text("added")


async def _crash(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    os._exit(3)


async def _pid(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    return _text(str(os.getpid()))


async def _slow(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    await anyio.sleep(60)
    return _text("late")


async def _extra(ctx: Any, args: dict[str, Any]) -> types.CallToolResult:
    return _text("extra called")


HANDLERS = {
    "lookup_order": _lookup_order,
    "total_items": _total_items,
    "picture": _picture,
    "read_doc": _read_doc,
    "weather": _weather,
    "fail": _fail,
    "add_tool": _add_tool,
    "crash": _crash,
    "pid": _pid,
    "slow": _slow,
    "extra": _extra,
}


async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> Any:
    handler = HANDLERS.get(params.name)
    if handler is None:
        return _text(f"unknown tool {params.name}", error=True)
    return await handler(ctx, dict(params.arguments or {}))


def build() -> Server[Any]:
    return Server(
        "locus-test-fixture",
        version="1.0",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_subscriptions_listen=ListenHandler(BUS),
    )


async def serve_stdio() -> None:
    server = build()
    options = server.create_initialization_options(NotificationOptions(tools_changed=True))
    async with stdio_server() as (read, write):
        await server.run(read, write, options)


def serve_http(kind: str) -> None:
    import uvicorn
    from mcp.server.sse import SseServerTransport
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Mount, Route

    server = build()
    if kind == "http":
        app = server.streamable_http_app()
    else:
        sse = SseServerTransport("/messages/")
        options = server.create_initialization_options(NotificationOptions(tools_changed=True))

        async def handle_sse(request: Any) -> Response:
            async with sse.connect_sse(request.scope, request.receive, request._send) as streams:
                await server.run(streams[0], streams[1], options)
            return Response()

        app = Starlette(
            routes=[
                Route("/sse", endpoint=handle_sse),
                Mount("/messages/", app=sse.handle_post_message),
            ]
        )
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0))
    sock.listen(128)  # connections wait in the backlog until the server accepts them
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    if sys.argv[1] == "stdio":
        anyio.run(serve_stdio)
    else:
        serve_http(sys.argv[1])
