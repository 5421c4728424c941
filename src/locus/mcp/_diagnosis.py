"""What one connection saw that the ``mcp`` SDK does not report: a stdio server's stderr, an
HTTP server's error status; and the transports that record it.

The SDK lets a stdio server's stderr through to ours, and turns every HTTP error status but
404 into "Server returned an error response". So a stdio server's stderr goes through a pipe
of ours, read as it comes (a server that floods it never blocks), kept as a bounded tail
for the errors and logged at DEBUG on ``locus.mcp``; and the HTTP client records the
status of the last error answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from locus.mcp._errors import MCPConnectionError
from locus.mcp._session import describe

if TYPE_CHECKING:
    from mcp import StdioServerParameters
    from mcp.client._transport import TransportStreams

__all__ = [
    "Diagnosis",
    "connect_error",
    "status_text",
    "stdio_transport",
    "streamable_http_transport",
    "with_status",
]

log = logging.getLogger("locus.mcp")

_TAIL_BYTES = 8192
_SHOWN_CHARS = 1500
_EOF_WAIT = 1.0
_STAND_INS = ("Server returned an error response", "Not Found", "Session terminated")


class Diagnosis(asyncio.Protocol):
    """One connection's stderr tail (stdio) and last HTTP error status."""

    def __init__(self, label: str, *, stdio: bool) -> None:
        self.label = label
        self.stdio = stdio
        self.status_code: int | None = None
        self.stderr_seen = False
        self.oversized: int | None = None  # max_message_bytes, once a message went over it
        self.stdout_closed = asyncio.Event()  # the stdio server's stdout ended
        self._tail = bytearray()
        self._eof = asyncio.Event()

    # -- stderr, as an asyncio read-pipe protocol -------------------------------------------

    def data_received(self, data: bytes) -> None:
        self.stderr_seen = True
        self._tail += data
        if len(self._tail) > _TAIL_BYTES:
            del self._tail[:-_TAIL_BYTES]
        if log.isEnabledFor(logging.DEBUG):
            for line in data.decode("utf-8", "replace").splitlines():
                log.debug("%s stderr: %s", self.label, line[:1000])

    def eof_received(self) -> bool | None:
        self._eof.set()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof.set()

    async def wait_for_eof(self, seconds: float = _EOF_WAIT) -> None:
        """Until the server's stderr is closed (it exited), at most ``seconds``."""
        with contextlib.suppress(TimeoutError):  # (asyncio.timeout: a cancel stays one)
            async with asyncio.timeout(seconds):
                await self._eof.wait()

    @property
    def stderr(self) -> str | None:
        """The end of the server's stderr (whole lines, at most ~1500 characters), if any."""
        if not self.stderr_seen:
            return None
        text = self._tail.decode("utf-8", "replace").strip()
        if len(text) > _SHOWN_CHARS:
            text = text[-_SHOWN_CHARS:]
            text = text.split("\n", 1)[1] if "\n" in text else text
        return text or None

    def on_oversized(self, limit: int) -> None:
        """A message went over ``max_message_bytes`` and is dropped (``locus.mcp._lines``)."""
        self.oversized = limit

    def on_stdout_closed(self) -> None:
        """The server's stdout ended: it exited, or can answer nothing more."""
        self.stdout_closed.set()

    # -- HTTP --------------------------------------------------------------------------------

    async def on_response(self, response: Any) -> None:
        # only messages (POST): a 405 to the optional GET stream, or to the DELETE that
        # ends a session, is no failure of anything the caller asked
        if response.status_code >= 400 and response.request.method == "POST":
            self.status_code = response.status_code

    def take_status(self) -> int | None:
        """The last HTTP error status seen, forgotten once taken."""
        status, self.status_code = self.status_code, None
        return status


@asynccontextmanager
async def stdio_transport(
    params: StdioServerParameters, diagnosis: Diagnosis
) -> AsyncIterator[TransportStreams]:
    """The SDK's ``stdio_client`` with the server's stderr read into ``diagnosis``."""
    from mcp.client.stdio import stdio_client

    from locus.mcp._lines import reporter

    reporter.set(diagnosis)  # this connection's task only (and the SDK's below)
    loop = asyncio.get_running_loop()
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb", buffering=0)
    errlog = os.fdopen(write_fd, "w")
    try:
        pipe, _ = await loop.connect_read_pipe(lambda: diagnosis, reader)
    except BaseException:
        reader.close()
        errlog.close()
        raise
    try:
        async with stdio_client(params, errlog=errlog) as streams:
            errlog.close()  # the server holds its own copy once started
            yield streams
    finally:
        errlog.close()
        try:
            await diagnosis.wait_for_eof()
        finally:
            pipe.close()


@asynccontextmanager
async def streamable_http_transport(
    url: str, headers: dict[str, str], diagnosis: Diagnosis
) -> AsyncIterator[TransportStreams]:
    """The SDK's streamable HTTP client, with error statuses recorded in ``diagnosis``."""
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    async with create_mcp_http_client(headers=headers or None) as http:
        http.event_hooks["response"].append(diagnosis.on_response)
        async with streamable_http_client(url, http_client=http) as streams:
            yield streams


def connect_error(
    label: str,
    error: BaseException,
    diagnosis: Diagnosis | None,
    connect_timeout: float | None,
    tool_name: str | None,
) -> MCPConnectionError:
    """Why connecting to ``label`` failed, and what to do, from what the connection saw."""
    status = diagnosis.take_status() if diagnosis is not None else None
    if status is None:  # the SSE transport raises httpx's HTTPStatusError instead
        status = getattr(getattr(error, "response", None), "status_code", None)
    stderr = diagnosis.stderr if diagnosis is not None else None
    stdio = diagnosis is not None and diagnosis.stdio
    if isinstance(error, TimeoutError):
        what = (
            "check that the command starts an MCP server on its stdin/stdout"
            if stdio
            else "check the URL (is an MCP server there?)"
        )
        why = (
            f"it did not finish the MCP handshake within {connect_timeout:g} s; {what}, "
            "or give a longer connect_timeout="
        )
    elif status is not None:
        why = with_status(status, error)
    elif isinstance(error, FileNotFoundError) and stdio:
        why = f"the command was not found ({describe(error)}); check the command and PATH"
    elif isinstance(error, PermissionError) and stdio:
        why = f"the command cannot be run ({describe(error)}); check its permissions"
    elif stdio and _closed(error):
        why = "it exited before the MCP handshake; run the command yourself to see why"
    elif type(error).__name__ == "ConnectError":
        why = f"nothing answered ({describe(error)}); is the server running, on this URL?"
    else:
        why = describe(error)
    if stderr and tool_name is None:
        why += f"; its stderr ends:\n{stderr}"
    elif stderr:  # a tool error the model reads: the server's stderr may hold anything
        why += "; the end of its stderr is in the error's .stderr"
    return MCPConnectionError(
        f"could not connect to {label}: {why}",
        server=label,
        tool_name=tool_name,
        stderr=stderr,
        status_code=status,
    )


def with_status(status: int, error: BaseException) -> str:
    """``status_text(status)``, and the error's own text when the server sent one (a JSON-RPC
    error in the body) rather than the SDK's stand-in for a bare status."""
    text = str(error.error.message) if hasattr(error, "error") else str(error)
    if text in _STAND_INS:
        return status_text(status)
    return f"{status_text(status)} ({describe(error)})"


def status_text(status: int) -> str:
    """An HTTP error status, what it means for an MCP server, and what to do."""
    if status == 401:
        return (
            "HTTP 401 Unauthorized: the server refused the credentials; check the "
            "Authorization (or other) header given in headers="
        )
    if status == 403:
        return (
            "HTTP 403 Forbidden: these credentials are not allowed to use this server; "
            "check their scopes or permissions"
        )
    if status == 404:
        return (
            "HTTP 404 Not Found: check the URL (streamable HTTP endpoints usually end in "
            "/mcp; an /sse URL is for MCPServerSSE)"
        )
    if status >= 500:
        return f"HTTP {status}: the server failed; try again later, or see the server's logs"
    return f"HTTP {status}: the server refused the request"


def _closed(error: BaseException) -> bool:
    from mcp import MCPError
    from mcp_types import CONNECTION_CLOSED

    return isinstance(error, MCPError) and error.code == CONNECTION_CLOSED
