"""A loopback HTTP/1.1 server that answers every request with one canned raw answer.

For the answers the emulator will not give on purpose (a 200 that is not JSON, a wrong
content type, a huge SSE line, a stream with no finish event). Real sockets, real
httpx on the client side; the request is read in full, then the answer is written
and the connection closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import TracebackType

from tests.deadlines import within

__all__ = ["CannedServer"]


class CannedServer:
    """``async with CannedServer(body, content_type=...) as server:`` then use ``server.url``.

    ``body`` is bytes (sent with a ``content-length``) or a sequence of chunks (sent
    without one; the body ends when the connection closes). ``requests`` counts the
    requests answered.
    """

    def __init__(
        self,
        body: bytes | Sequence[bytes],
        *,
        status: int = 200,
        content_type: str = "application/json",
    ) -> None:
        self.body = body
        self.status = status
        self.content_type = content_type
        self.requests = 0
        self.url = ""
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> CannedServer:
        self._server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await within(self._server.wait_closed(), "the canned server closed")

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await _read_request(reader)
            self.requests += 1
            await self._write(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _write(self, writer: asyncio.StreamWriter) -> None:
        head = [f"HTTP/1.1 {self.status} X", f"content-type: {self.content_type}"]
        head += ["opc-request-id: canned-request", "connection: close"]
        chunks = [self.body] if isinstance(self.body, bytes) else list(self.body)
        if isinstance(self.body, bytes):
            head.append(f"content-length: {len(self.body)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()


async def _read_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    await reader.readexactly(length)
