"""Hostile HTTP/1.1 servers on loopback: raw bytes written by hand, one handler per request.

Each ``Reply`` reads one request in full and then writes whatever it likes: headers a
server should not send, bodies that never end, bytes one at a time. Real sockets, the
model's real HTTP stack (httpx or aiohttp) on the client side.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tests.loopback import Handler, Server

__all__ = ["Reply", "chat_result", "fixed", "head", "read_request", "scripted", "sse_event"]

Reply = Callable[[asyncio.StreamWriter], Awaitable[None]]
"""Writes one answer (the request was read already)."""


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """Read one request (head and ``Content-Length`` body); its head."""
    raw = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in raw.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return raw


def head(status: int, *headers: str, reason: str = "X") -> bytes:
    """A status line and headers, ready for a body."""
    lines = [f"HTTP/1.1 {status} {reason}", "opc-request-id: hostile-request", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chat_result(text: str = "hello") -> bytes:
    """A GENERIC ChatResult body with one choice."""
    message = {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": text}]}
    choice = {"index": 0, "message": message, "finishReason": "stop"}
    response = {"apiFormat": "GENERIC", "timeCreated": "2026-11-27T10:00:00Z", "choices": [choice]}
    return json.dumps({"modelId": "m", "modelVersion": "1", "chatResponse": response}).encode()


def sse_event(payload: dict[str, Any]) -> bytes:
    """One SSE ``data:`` event."""
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def scripted(replies: Sequence[Reply]) -> Server:
    """A server whose n-th request gets ``replies[n]`` (the last one repeats); each
    reply's connection is closed after it (``Connection: close`` is the replies' job)."""
    count = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        await read_request(reader)
        reply = replies[min(count, len(replies) - 1)]
        count += 1
        await reply(writer)

    handler: Handler = handle
    return Server(handler)


def fixed(data: bytes) -> Reply:
    """A reply of fixed bytes."""

    async def write(writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()

    return write
