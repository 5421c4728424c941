"""Incremental decoder for ``text/event-stream`` bodies (Server-Sent Events).

Follows the WHATWG HTML "event stream interpretation" rules: UTF-8 with one optional
leading BOM, lines ended by CRLF, LF or CR (split anywhere between chunks), comments
(``:``), ``field: value`` with one optional space after the colon, multi-line
``data`` joined by ``\\n``, unknown fields ignored, events dispatched on a blank
line. One deliberate leniency: at ``close()`` an unfinished last event that has
data is still dispatched, because servers often end the body without the final
blank line (the OCI SDK's async reader accepts that too). Pure: no I/O.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from locus.core._json_values import decoded_too_deep
from locus.core.errors import StreamError
from locus.models._wire.json_text import ServerJSONError, loads_server_json

__all__ = ["DONE_SENTINEL", "SSEDecoder", "ServerSentEvent", "json_data", "json_payload"]

DONE_SENTINEL = "[DONE]"
"""The data an OpenAI-style stream (and some OCI models) sends after the last event."""

_LINE_END = re.compile(r"\r\n|\r|\n")
_scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
"""The JSON scanner of ``json.loads`` (its C one where available)."""


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event. ``event`` defaults to ``"message"``; ``id`` and
    ``retry`` are the last values seen in the stream so far."""

    event: str
    data: str
    id: str | None
    retry: int | None


class SSEDecoder:
    """Bytes in, events out: ``feed(chunk)`` any number of times, then ``close()``.

    ``max_line_size`` and ``max_event_size`` (in characters) bound memory; going over
    either raises ``StreamError``.
    """

    def __init__(self, *, max_line_size: int = 4 << 20, max_event_size: int = 16 << 20) -> None:
        self._utf8: codecs.IncrementalDecoder | None = None
        """The incremental UTF-8 decoder, made when a chunk is not whole characters."""
        self._max_line = max_line_size
        self._max_event = max_event_size
        self._line: list[str] = []
        """The pieces of the unfinished last line, joined once when it ends (adding each
        piece to a string would copy the line again per chunk: quadratic)."""
        self._line_size = 0
        self._skip_lf = False
        self._at_start = True
        self._data: list[str] = []
        self._size = 0
        self._event = ""
        self._id: str | None = None
        self._retry: int | None = None
        self._whole_chars = True
        """Whether the UTF-8 decoder holds no bytes of a character split between chunks."""

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode a chunk of the body; returns the events it completed."""
        text = self._decode(chunk)
        single = self._single_data_event(text)
        return [single] if single is not None else self._text(text)

    def feed_data(self, chunk: bytes) -> list[str]:
        """Like ``feed``, but only the events' data (all a JSON event reader needs).

        Between events (nothing held back) a chunk without CR is cut at its blank lines
        and each block that is one ``data: `` line is taken as it stands; any other
        block, and what follows the last blank line, takes the general rules.
        """
        text = self._decode(chunk)
        if self._at_start and text:
            self._at_start = False
            text = text.removeprefix("\ufeff")
        if self._line or self._data or self._skip_lf or "\r" in text:
            return [event.data for event in self._text(text)]
        blocks = text.split("\n\n")
        rest = blocks.pop()
        found: list[str] = []
        for block in blocks:
            if (
                block.startswith("data: ")
                and "\n" not in block
                and len(block) <= self._max_line
                and len(block) - 5 <= self._max_event
            ):
                found.append(block[6:])
                self._event = ""
            else:
                found.extend(event.data for event in self._block(block))
        if rest:
            found.extend(event.data for event in self._text(rest))
        return found

    def _block(self, block: str) -> list[ServerSentEvent]:
        """The event of ``block``, whole lines followed by a blank line (general rules)."""
        events: list[ServerSentEvent] = []
        for line in block.split("\n"):
            self._process(line, events)
        self._dispatch(events)
        return events

    def _decode(self, chunk: bytes) -> str:
        """The text of ``chunk``: strictly decoded when it can be (the usual, faster case),
        else by the incremental decoder (a character split between chunks, bad bytes)."""
        if self._whole_chars:
            try:
                return chunk.decode()
            except UnicodeDecodeError:
                pass
        if self._utf8 is None:
            self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = self._utf8.decode(chunk)
        self._whole_chars = not self._utf8.getstate()[0]
        return text

    def _single_data_event(self, text: str) -> ServerSentEvent | None:
        """Fast path for the usual chunk, exactly one ``data: ...\n\n`` event, else None.

        Taken only between events (nothing held back) and away from the body's start,
        so it gives what the general rules give for such a chunk.
        """
        if (
            self._line
            or self._data
            or self._at_start
            or self._skip_lf
            or not text.startswith("data: ")
            or text.find("\n") != len(text) - 2
            or not text.endswith("\n\n")
            or "\r" in text
        ):
            return None
        data = text[6:-2]
        if len(data) + 6 > self._max_line or len(data) + 1 > self._max_event:
            return None  # the general path raises the right error
        event = ServerSentEvent(self._event or "message", data, self._id, self._retry)
        self._event = ""
        return event

    def close(self) -> list[ServerSentEvent]:
        """End of body: flush what is left (see the module docstring)."""
        rest = self._utf8.decode(b"", final=True) if self._utf8 is not None else ""
        events = self._text(rest)
        if self._line:
            line, self._line, self._line_size = "".join(self._line), [], 0
            self._process(line, events)
        self._dispatch(events)
        return events

    def _text(self, text: str) -> list[ServerSentEvent]:
        if self._at_start and text:
            self._at_start = False
            text = text.removeprefix("\ufeff")
        if self._skip_lf and text:
            self._skip_lf = False
            text = text.removeprefix("\n")
        events: list[ServerSentEvent] = []
        if "\r" not in text and "\n" not in text:
            if text:
                self._line.append(text)
                self._line_size += len(text)
                self._check_line()
            return events
        joined = "".join(self._line) + text if self._line else text
        lines = _LINE_END.split(joined) if "\r" in text else joined.split("\n")
        rest = lines.pop()
        self._line, self._line_size = [rest] if rest else [], len(rest)
        self._skip_lf = text.endswith("\r")
        self._check_line()
        for line in lines:
            self._process(line, events)
        return events

    def _check_line(self) -> None:
        if self._line_size > self._max_line:
            raise StreamError(f"an event-stream line is longer than {self._max_line} characters")

    def _process(self, line: str, events: list[ServerSentEvent]) -> None:
        if len(line) > self._max_line:
            raise StreamError(f"an event-stream line is longer than {self._max_line} characters")
        if not line:
            self._dispatch(events)
            return
        if line.startswith(":"):
            return
        name, _, value = line.partition(":")
        self._field(name, value.removeprefix(" "))

    def _field(self, name: str, value: str) -> None:
        if name == "data":
            self._size += len(value) + 1
            if self._size > self._max_event:
                raise StreamError(f"an event is larger than {self._max_event} characters")
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)

    def _dispatch(self, events: list[ServerSentEvent]) -> None:
        if self._data:
            data = "\n".join(self._data)
            events.append(ServerSentEvent(self._event or "message", data, self._id, self._retry))
        self._data, self._size, self._event = [], 0, ""


def json_payload(event: ServerSentEvent, *, endpoint: str | None = None) -> dict[str, Any] | None:
    """The JSON object an event carries; ``None`` for ``[DONE]`` or empty data.

    Raises ``StreamError`` (naming ``endpoint`` when given) when the data is not a JSON
    object, or is JSON nested too deeply to decode.
    """
    return json_data(event.data, endpoint=endpoint)


def json_data(data: str, *, endpoint: str | None = None) -> dict[str, Any] | None:
    """``json_payload`` for an event's data.

    The usual data, one JSON object with nothing around it, is scanned as it stands (what
    ``json.loads`` does after its checks); anything else, and any failure, takes the
    general path, which gives its value or its error.
    """
    if data.startswith("{") and data.endswith("}"):
        try:
            value, end = _scan_json(data, 0)
        except (StopIteration, ValueError, RecursionError):
            pass
        else:
            if end == len(data) and not decoded_too_deep(data, value):
                return value  # type: ignore[no-any-return]  # (a JSON object: it began with {)
    return _json_object(data, endpoint)


def _json_object(data: str, endpoint: str | None) -> dict[str, Any] | None:
    data = data.strip()
    if not data or data == DONE_SENTINEL:
        return None
    source = f" from {endpoint}" if endpoint else ""
    try:
        value = loads_server_json(data)
    except ServerJSONError as exc:
        problem = exc.reason if exc.too_deep else "is not valid JSON"
        text = f"stream event data{source} {problem}: {data[:200]!r}"
        raise StreamError(text, endpoint=endpoint) from None
    if not isinstance(value, dict):
        text = f"stream event data{source} should be a JSON object: {data[:200]!r}"
        raise StreamError(text, endpoint=endpoint)
    return value
