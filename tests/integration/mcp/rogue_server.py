"""A hand-written MCP server over stdio (newline-delimited JSON-RPC, no SDK) that does what
well-behaved servers do not. ``python rogue_server.py MODE``; its tools are ``pid``
(this process's id) and, per mode:

- ``giant``: ``giant`` answers a 50 MiB text (``id`` first, as Python servers write it),
  ``giant_tail`` the same with ``id`` last (as TypeScript servers write it), ``giant_note``
  sends a 50 MiB notification before its small answer, and ``endless`` writes 50 MiB
  with no newline at all, then stays silent.
- ``pages``: lists its tools two per page; once it has answered the first page its tools
  change (``*_v1`` become ``*_v2``) and it sends ``notifications/tools/list_changed``.
- ``unknown``: before each answer, notifications no client knows, one with invalid params,
  and a server request of an unknown method.
- ``invalid``: before each answer, lines that are no JSON-RPC (no JSON, another version,
  a batch, an answer to an id never asked, bytes that are no UTF-8).
- ``exit_after_list``: exits once it has answered ``tools/list``.
- ``unicode``: tools named in scripts and with emoji; each call answers its own name.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

EMPTY: dict[str, Any] = {"type": "object", "properties": {}}
GIANT = 50 * 2**20
UNICODE = ["météo", "天気", "погода", "🔥fire", "naïve café", "ｆｕｌｌ"]
state = {"version": 1}


def tool(name: str) -> dict[str, Any]:
    return {"name": name, "description": f"the tool {name}", "inputSchema": EMPTY}


def write(message: dict[str, Any] | str | bytes) -> None:
    if isinstance(message, dict):
        message = json.dumps(message)
    data = message if isinstance(message, bytes) else message.encode()
    sys.stdout.buffer.write(data + b"\n")
    sys.stdout.buffer.flush()


def text(value: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": value}]}


def listing(mode: str, cursor: str | None) -> dict[str, Any]:
    if mode == "pages":
        names = [f"{base}_v{state['version']}" for base in ("a", "b", "c", "d", "e")]
        start = int(cursor or 0)
        page: dict[str, Any] = {"tools": [tool(name) for name in names[start : start + 2]]}
        if start + 2 < len(names):
            page["nextCursor"] = str(start + 2)
        return page
    names = {
        "giant": ["giant", "giant_tail", "giant_note", "endless"],
        "unicode": UNICODE,
    }.get(mode, [])
    return {"tools": [tool(name) for name in [*names, "pid"]]}


def noise(mode: str) -> None:
    if mode == "unknown":
        write({"jsonrpc": "2.0", "method": "notifications/acme/weather", "params": {"t": 3}})
        write({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"nope": 1}})
        write({"jsonrpc": "2.0", "method": "notifications/message", "params": "not an object"})
        write({"jsonrpc": "2.0", "id": "srv-1", "method": "acme/ask", "params": {}})
    elif mode == "invalid":
        write("this is no JSON")
        write('{"jsonrpc": "1.0", "id": 1, "result": {}}')
        write('[{"jsonrpc": "2.0", "method": "notifications/x"}]')
        write({"jsonrpc": "2.0", "id": 987654, "result": {"content": []}})
        write({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse"}})
        write(b'{"jsonrpc": "2.0", "method": "notifications/\xff\xfe"}')
        write("{")


def call(name: str, request_id: Any) -> None:
    if name == "pid":
        write({"jsonrpc": "2.0", "id": request_id, "result": text(str(os.getpid()))})
    elif name == "giant":
        write({"jsonrpc": "2.0", "id": request_id, "result": text("g" * GIANT)})
    elif name == "giant_tail":
        write({"result": text("g" * GIANT), "jsonrpc": "2.0", "id": request_id})
    elif name == "giant_note":
        note = {"level": "info", "data": "n" * GIANT}
        write({"jsonrpc": "2.0", "method": "notifications/message", "params": note})
        write({"jsonrpc": "2.0", "id": request_id, "result": text("small")})
    elif name == "endless":
        chunk = b"e" * 2**20
        for _ in range(GIANT // len(chunk)):
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
    else:
        write({"jsonrpc": "2.0", "id": request_id, "result": text(name)})


def main(mode: str) -> None:
    for line in sys.stdin:
        request = json.loads(line)
        method, params = request.get("method"), request.get("params") or {}
        if "id" not in request or "method" not in request:
            continue  # a notification, or the client's answer to our own request
        noise(mode)
        request_id = request["id"]
        if method == "initialize":
            result: Any = {
                "protocolVersion": params.get("protocolVersion", "2025-06-18"),
                "capabilities": {"tools": {"listChanged": True}},
                "serverInfo": {"name": "rogue", "version": "1"},
            }
            write({"jsonrpc": "2.0", "id": request_id, "result": result})
        elif method == "tools/list":
            write(
                {"jsonrpc": "2.0", "id": request_id, "result": listing(mode, params.get("cursor"))}
            )
            if mode == "pages" and params.get("cursor") is None and state["version"] == 1:
                state["version"] = 2
                write({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
            if mode == "exit_after_list":
                sys.exit(0)
        elif method == "tools/call":
            call(str(params.get("name")), request_id)
        else:
            error = {"code": -32601, "message": f"method not found: {method}"}
            write({"jsonrpc": "2.0", "id": request_id, "error": error})


if __name__ == "__main__":
    main(sys.argv[1])
