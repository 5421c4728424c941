"""A bound on the messages a stdio MCP server may send (``max_message_bytes``).

The ``mcp`` SDK reads a stdio server's stdout as text, through the codec named by
``StdioServerParameters.encoding``, and keeps a line in memory until its newline comes,
joining each new chunk to all that came before: a 50 MiB result took minutes of CPU and
a line with no end grew until memory ran out. The codec made here is UTF-8 that hands the
SDK whole lines only (so its joins stay cheap) and drops a line longer than the limit as
it comes, keeping only its first and last bytes. When those show the ``id`` of an answer,
an error answer to that request takes its place (``TOO_LARGE``): the caller gets a clear
error at once and the connection stays usable. Otherwise (a notification, or an ``id``
that cannot be seen) the line is only dropped, and a request waiting for it times out.
Bytes that are no UTF-8 become U+FFFD instead of ending the connection, and a line that
is no JSON object or batch (a server logging on its stdout) is logged at DEBUG and never
reaches the SDK, which logged a traceback at ERROR for each.

Each drop, and the end of the server's stdout (the server exited or closed it: the SDK
does not end the connection for it, so a call made later would fail), is reported to the
connection's ``Diagnosis``, given to the decoder through a context variable set by the
transport (the SDK makes the decoder in a task of its own).
"""

from __future__ import annotations

import codecs
import contextvars
import json
import logging
import re
from typing import Any, Protocol

__all__ = ["DEFAULT_MAX_MESSAGE_BYTES", "TOO_LARGE", "encoding", "reporter", "too_large"]

DEFAULT_MAX_MESSAGE_BYTES = 16 * 2**20
"""The longest message (one line of JSON) a stdio server may send, in bytes."""
TOO_LARGE = -32050
"""The JSON-RPC error code of the answer that takes the place of a dropped one."""


class Sink(Protocol):
    """What the decoder tells its connection (``Diagnosis``)."""

    def on_oversized(self, limit: int) -> None:
        """A line went over the limit (and from then on is dropped)."""

    def on_stdout_closed(self) -> None:
        """The server's stdout ended."""


reporter: contextvars.ContextVar[Sink | None] = contextvars.ContextVar(
    "locus_mcp_oversized", default=None
)

log = logging.getLogger("locus.mcp")

_PREFIX = "locus_mcp_lines_"
_PEEK = 512
_ID = r'(-?\d+|"(?:[^"\\]|\\.)*")'
_HEAD_ID = re.compile(r'\A\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*' + _ID)
_TAIL_ID = re.compile(r'"id"\s*:\s*' + _ID + r'\s*(?:,\s*"jsonrpc"\s*:\s*"2\.0"\s*)?\}\s*\Z')
_registered = False


def encoding(limit: int) -> str:
    """The codec name that bounds each line at ``limit`` bytes (registered on first use)."""
    global _registered
    if not _registered:
        codecs.register(_search)
        _registered = True
    return f"{_PREFIX}{limit}"


def too_large(label: str, what: str, size: object, limit: int) -> str:
    """What the error of a dropped answer says: its size, the limit, what to do."""
    return (
        f"{label} answered '{what}' with a message of {size} bytes, more than "
        f"max_message_bytes={limit}: it was dropped (the connection stays open); ask the "
        "tool for less, or give the server a larger max_message_bytes="
    )


def _search(name: str) -> codecs.CodecInfo | None:
    if not name.startswith(_PREFIX) or not name[len(_PREFIX) :].isdigit():
        return None
    limit = int(name[len(_PREFIX) :])

    def decoder(errors: str = "strict") -> _LineDecoder:
        return _LineDecoder(limit, errors)

    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        utf8.encode,
        utf8.decode,
        incrementalencoder=utf8.incrementalencoder,
        incrementaldecoder=decoder,
        name=name,
    )


class _LineDecoder(codecs.IncrementalDecoder):
    """UTF-8, by whole lines, each at most ``limit`` bytes (see the module's text)."""

    def __init__(self, limit: int, errors: str = "strict") -> None:
        super().__init__(errors)
        self.limit = limit
        self.sink = reporter.get()
        self.reset()

    def reset(self) -> None:
        self._line = bytearray()
        self._dropped = 0  # bytes of the current line dropped so far (0: it is kept)
        self._head = b""
        self._tail = b""

    def decode(self, input: Any, final: bool = False) -> str:
        data = bytes(input)
        out: list[str] = []
        start = 0
        while start < len(data):
            end = data.find(b"\n", start)
            self._take(data[start : len(data) if end < 0 else end])
            if end < 0:
                break
            out.append(self._finish())
            start = end + 1
        if final:  # the stream ended (and the end of a last line with no newline)
            out.append(self._line.decode("utf-8", "replace"))
            self.reset()
            if self.sink is not None:
                self.sink.on_stdout_closed()
        return "".join(out)

    def _take(self, part: bytes) -> None:
        if not self._dropped and len(self._line) + len(part) <= self.limit:
            self._line += part
            return
        if not self._dropped:  # over the limit: drop what was kept, keep only its start
            self._head = bytes(self._line[:_PEEK]) + part[: max(0, _PEEK - len(self._line))]
            self._dropped = len(self._line)
            self._line = bytearray()
            if self.sink is not None:
                self.sink.on_oversized(self.limit)
        self._dropped += len(part)
        self._tail = (self._tail + part[-_PEEK:])[-_PEEK:]

    def _finish(self) -> str:
        if not self._dropped:
            text = self._line.decode("utf-8", "replace")
            self._line = bytearray()
            if not text.lstrip().startswith(("{", "[")):  # no JSON-RPC: a log line, say
                if text.strip():
                    log.debug("MCP server stdout line that is no JSON-RPC: %s", text[:1000])
                return ""
            return text + "\n"
        size, head, tail = self._dropped, self._head, self._tail
        self.reset()
        request_id = _answered_id(head, tail)
        log.warning(
            "an MCP server sent a message of %d bytes, more than max_message_bytes=%d: "
            "dropped (%s)",
            size,
            self.limit,
            "an error answers it" if request_id is not None else "no answer's id seen",
        )
        if request_id is None:
            return ""
        error = {
            "code": TOO_LARGE,
            "message": f"message of {size} bytes, over the limit of {self.limit}",
            "data": {"size": size, "limit": self.limit},
        }
        return json.dumps({"jsonrpc": "2.0", "id": request_id, "error": error}) + "\n"


def _answered_id(head: bytes, tail: bytes) -> Any:
    """The ``id`` of the answer a dropped line began or ended with (None if not one)."""
    first = head.decode("utf-8", "replace")
    last = tail.decode("utf-8", "replace")
    if '"method"' in first or '"method"' in last:  # a request or notification of the server
        return None
    found = _HEAD_ID.search(first) or _TAIL_ID.search(last)
    return json.loads(found.group(1)) if found else None
