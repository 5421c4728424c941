"""An MCP server written by hand over stdio (newline-delimited JSON-RPC), with no SDK at all:
it sends what the SDK's server side would refuse to send. ``python raw_server.py MODE``:

- ``schemas``: lists a tool with no ``inputSchema``, one whose schema is not an object's,
  and a good one; every call answers "ok".
- ``noisy``: as ``bad_result``, after a log line written on stdout (where only JSON-RPC
  may go).
- ``bad_result``: ``tools/call`` of ``bad`` answers a result that is no ``CallToolResult``
  (``content`` is a string); ``pid`` answers this process's id.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

EMPTY: dict[str, Any] = {"type": "object", "properties": {}}
SCHEMAS: list[dict[str, Any]] = [
    {"name": "no_schema", "description": "has no inputSchema"},
    {"name": "string_schema", "description": "not an object", "inputSchema": {"type": "string"}},
    {"name": "good", "description": "fine", "inputSchema": EMPTY},
]
BAD_RESULT: list[dict[str, Any]] = [
    {"name": "bad", "description": "answers garbage", "inputSchema": EMPTY},
    {"name": "pid", "description": "the process id", "inputSchema": EMPTY},
]


def answer(request: dict[str, Any], mode: str) -> dict[str, Any] | None:
    method, params = request.get("method"), request.get("params") or {}
    if "id" not in request:
        return None  # a notification
    if method == "initialize":
        result: Any = {
            "protocolVersion": params.get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": "raw", "version": "1"},
        }
    elif method == "tools/list":
        result = {"tools": SCHEMAS if mode == "schemas" else BAD_RESULT}
    elif method == "tools/call" and params.get("name") == "bad":
        result = {"content": "not a list of blocks"}
    elif method == "tools/call" and params.get("name") == "pid":
        result = {"content": [{"type": "text", "text": str(os.getpid())}]}
    elif method == "tools/call":
        result = {"content": [{"type": "text", "text": "ok"}]}
    else:
        error = {"code": -32601, "message": f"method not found: {method}"}
        return {"jsonrpc": "2.0", "id": request["id"], "error": error}
    return {"jsonrpc": "2.0", "id": request["id"], "result": result}


def main(mode: str) -> None:
    if mode == "noisy":
        print("Starting the orders server on stdio...", flush=True)  # a log line on stdout
    for line in sys.stdin:
        reply = answer(json.loads(line), mode)
        if reply is not None:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
