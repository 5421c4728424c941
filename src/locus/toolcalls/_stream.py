"""The incremental tool-call parser: text in, visible text / reasoning / calls out.

One state machine serves whole and streamed parsing (``parse_tool_calls`` is one
``feed`` plus ``close``), so any split of a text gives the same result. Each step
consumes the input from a position and never rescans what it has decided: visible
text flows at once, and only a suffix that could still become a marker is held.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from locus.core._call_ids import new_call_id
from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall
from locus.core.toolspec import ToolSpec
from locus.toolcalls import _tags as tag
from locus.toolcalls._blocks import decode_block
from locus.toolcalls._calls import NamedArgs, as_arguments, decode_json_calls, load_json
from locus.toolcalls._coder_xml import Schemas
from locus.toolcalls._formats import (
    HERMES,
    LLAMA_JSON,
    LLAMA_PYTHON_TAG,
    MISTRAL,
    PREFILLED_THINK,
    QWEN3_CODER,
    THINK,
    FormatsArg,
    resolve_formats,
)
from locus.toolcalls._jsonscan import JsonScanner, ScanStatus
from locus.toolcalls._output import Out
from locus.toolcalls._results import ParseProblem, StreamItem

__all__ = ["ToolCallStreamParser"]

_MISTRAL_ARRAY = "mistral_array"
_NON_SPACE = re.compile(r"\S")
_NOT_SEPARATOR = re.compile(r"[^\s;]")
_NAME_END = re.compile(r"[^A-Za-z0-9_.\-]")
_LOOKS_LIKE_CALL = re.compile(
    r'\s*\[?\s*\{\s*"name"\s*:\s*"[^"]*"\s*,\s*"(?:parameters|arguments)"'
)

Step = Callable[["ToolCallStreamParser", str, int, Out], int]
"""A parsing mode: a method of the parser, kept unbound so the parser holds no cycle."""


def _format_of(origin: str) -> str:
    return MISTRAL if origin == _MISTRAL_ARRAY else origin


class ToolCallStreamParser:
    """Splits a streamed model message into visible text, ``ReasoningText``s and
    ``ToolCall``s. ``formats`` is ``"auto"``, a name or list of names from
    ``TOOL_CALL_FORMATS`` (plus the option ``"prefilled_think"``), or ``None`` (off)."""

    def __init__(
        self,
        formats: FormatsArg = "auto",
        *,
        tools: Sequence[ToolSpec] | None = None,
        id_factory: Callable[[], str] | None = None,
    ) -> None:
        self._enabled = resolve_formats(formats)
        enabled = self._enabled or frozenset()
        self._tools = tuple(tools) if tools is not None else None
        self._new_id = id_factory or new_call_id
        self._markers = tag.text_markers(enabled)
        self._problems: list[ParseProblem] = []
        self._hold = ""
        self._pushback = ""
        self._parts: list[str] = []
        self._opener = ""
        self._closer = ""
        self._call_name = ""
        self._origin = ""
        self._scanner = JsonScanner()
        self._at_start = LLAMA_JSON in enabled
        self._closed = False
        self._mode: Step = type(self)._think if PREFILLED_THINK in enabled else type(self)._text

    @functools.cached_property
    def _schemas(self) -> Schemas:  # made on the first call decoded, not per message
        return {spec.name: spec.parameters for spec in self._tools or ()}

    @property
    def problems(self) -> list[ParseProblem]:
        """Everything refused so far (the refused markup is also in the visible text)."""
        return list(self._problems)

    def feed(self, delta: str) -> list[StreamItem]:
        """Parse the next piece of the message; return what is known so far."""
        if self._closed:
            raise ConfigurationError("ToolCallStreamParser.feed() called after close()")
        if self._enabled is None:
            return [delta] if delta else []
        if self._plain(delta):
            return [delta]  # what the full run gives: text that cannot start a marker
        if self._mode is _BLOCK and not self._hold and tag.BLOCK_MARKERS.absent_from(delta):
            self._parts.append(delta)  # the same: block payload that cannot end the block
            return []
        out = Out()
        src, self._hold = self._hold + delta, ""
        self._run(src, out)
        return out.items()

    def _plain(self, delta: str) -> bool:
        """Prose between markers: in visible text, nothing held, no marker character."""
        return (
            bool(delta)
            and self._mode is _TEXT
            and not self._hold
            and not self._at_start
            and self._markers.absent_from(delta)
        )

    def close(self) -> list[StreamItem]:
        """End of the message: settle everything still held back."""
        if self._closed:
            return []
        self._closed = True
        out = Out()
        while self._enabled is not None:
            self._finish(out)
            if not self._pushback:
                break
            src, self._pushback = self._pushback, ""
            self._run(src, out)
        return out.items()

    # -- driving ---------------------------------------------------------------------

    def _run(self, src: str, out: Out) -> None:
        pos = 0
        while pos < len(src):
            pos = self._mode(self, src, pos, out)
            if self._pushback:
                src, pos, self._pushback = self._pushback + src[pos:], 0, ""

    def _finish(self, out: Out) -> None:
        mode, hold, self._hold = self._mode, self._hold, ""
        self._mode = type(self)._text
        if mode == type(self)._text:
            self._emit(out, hold)
        elif mode == type(self)._think:
            out.reasoning(hold)
        elif mode in (type(self)._block, type(self)._block_start):
            self._parts.append(hold)
            self._end_block(out, closed=False)
        elif mode == type(self)._json:
            self._json_refused(out, "".join(self._parts), "incomplete JSON at end of message")
        elif mode in (type(self)._mistral_head, type(self)._mistral_name):
            self._refuse(out, self._raw() + hold, MISTRAL, "incomplete [TOOL_CALLS] call")

    def _emit(self, out: Out, text: str) -> None:
        if self._at_start and text and not text.isspace():
            self._at_start = False
        out.text(text)

    def _call(self, out: Out, named: NamedArgs) -> None:
        self._at_start = False
        out.call(ToolCall(id=self._new_id(), name=named[0], arguments=named[1]))

    def _problem(self, text: str, fmt: str, reason: str) -> None:
        self._problems.append(ParseProblem(text=text, reason=reason, format=fmt))

    def _refuse(self, out: Out, raw: str, fmt: str, reason: str) -> None:
        """Keep refused markup as visible text and report it."""
        self._emit(out, raw)
        self._problem(raw, fmt, reason)

    def _raw(self) -> str:
        return self._opener + "".join(self._parts)

    def _open(self, mode: Step, opener: str, origin: str = "") -> None:
        self._mode, self._opener, self._origin, self._parts = mode, opener, origin, []

    # -- visible text ----------------------------------------------------------------

    def _text(self, src: str, pos: int, out: Out) -> int:
        if self._at_start:
            pos = self._leading(src, pos, out)
            if self._mode != type(self)._text or pos >= len(src):
                return pos
        match = self._markers.find(src, pos)
        if match is None:
            keep = self._markers.hold_from(src, pos)
            self._emit(out, src[pos:keep])
            self._hold = src[keep:]
            return len(src)
        self._emit(out, src[pos : match.start()])
        self._on_marker(match.group(), out)
        return match.end()

    def _leading(self, src: str, pos: int, out: Out) -> int:
        """At message start, a ``{`` or ``[`` may begin a whole-message Llama JSON call."""
        hit = _NON_SPACE.search(src, pos)
        end = len(src) if hit is None else hit.start()
        self._emit(out, src[pos:end])
        if hit is not None and hit.group() in "{[":
            self._open(type(self)._json, "", LLAMA_JSON)
            self._scanner = JsonScanner()
        return end

    def _on_marker(self, marker: str, out: Out) -> None:
        if marker == tag.THINK_OPEN:
            self._mode = type(self)._think
        elif marker == tag.THINK_CLOSE:
            self._problem(marker, THINK, tag.BARE_CLOSE)
        elif marker in tag.BLOCK_CLOSERS:
            self._open(type(self)._block_start, marker)
            self._closer = tag.BLOCK_CLOSERS[marker]
        elif marker == tag.PYTHON_TAG:
            self._open(type(self)._json, marker, LLAMA_PYTHON_TAG)
            self._scanner = JsonScanner()
        elif marker == tag.MISTRAL_TAG:
            self._open(type(self)._mistral_head, marker)

    # -- reasoning -------------------------------------------------------------------

    def _think(self, src: str, pos: int, out: Out) -> int:
        match = tag.THINK_MARKERS.find(src, pos)
        if match is None:
            keep = tag.THINK_MARKERS.hold_from(src, pos)
            out.reasoning(src[pos:keep])
            self._hold = src[keep:]
            return len(src)
        out.reasoning(src[pos : match.start()])
        if match.group() == tag.THINK_CLOSE:
            self._mode = type(self)._text
        return match.end()

    # -- <tool_call> blocks ----------------------------------------------------------

    def _block_start(self, src: str, pos: int, out: Out) -> int:
        """Right after ``<tool_call>``: a payload starts with ``{``, ``[`` or ``<``;
        anything else is prose mentioning the tag, released at once."""
        hit = _NON_SPACE.search(src, pos)
        end = len(src) if hit is None else hit.start()
        self._parts.append(src[pos:end])
        if hit is not None and hit.group() in "{[<":
            self._mode = type(self)._block
        elif hit is not None:
            self._mode = type(self)._text
            fmt = HERMES if HERMES in (self._enabled or ()) else QWEN3_CODER
            self._refuse(out, self._raw(), fmt, f"{self._opener} not followed by a payload")
        return end

    def _block(self, src: str, pos: int, out: Out) -> int:
        match = tag.BLOCK_MARKERS.find(src, pos)
        if match is None:
            keep = tag.BLOCK_MARKERS.hold_from(src, pos)
            self._parts.append(src[pos:keep])
            self._hold = src[keep:]
            return len(src)
        self._parts.append(src[pos : match.start()])
        marker = match.group()
        if marker == self._closer:
            self._end_block(out, closed=True)
        elif marker in tag.BLOCK_CLOSERS:  # a new opener: settle this block as unclosed
            self._end_block(out, closed=False)
            self._open(type(self)._block_start, marker)
            self._closer = tag.BLOCK_CLOSERS[marker]
        else:
            self._parts.append(marker)
        return match.end()

    def _end_block(self, out: Out, *, closed: bool) -> None:
        self._mode = type(self)._text
        body = "".join(self._parts)
        result = decode_block(body, self._enabled or (), self._schemas)
        if result.error is not None:
            raw = self._opener + body + (self._closer if closed else "")
            reason = result.error if closed else f"unclosed {self._opener}: {result.error}"
            self._refuse(out, raw, result.format, reason)
            return
        for text, reason in result.skipped:
            self._problem(text, result.format, f"array item skipped: {reason}")
        for named in result.calls:
            self._call(out, named)

    # -- JSON values (Llama whole message, <|python_tag|>, Mistral) --------------------

    def _json(self, src: str, pos: int, out: Out) -> int:
        status, end = self._scanner.scan(src, pos)
        self._parts.append(src[pos:end])
        if status is ScanStatus.DONE:
            self._json_done(out)
        elif status is ScanStatus.REJECT:
            self._json_rejected(out)
        return end

    def _json_done(self, out: Out) -> None:
        text = "".join(self._parts)
        self._mode = type(self)._text
        if self._origin == MISTRAL:
            self._mistral_done(out, text)
            return
        llama = self._origin == LLAMA_JSON and self._tools is not None
        decoded = decode_json_calls(
            text,
            require_arguments=self._origin == LLAMA_JSON,
            known_names=frozenset(self._schemas) if llama else None,
            allow_skips=self._origin == _MISTRAL_ARRAY,
        )
        if decoded.error is not None:
            self._json_refused(out, text, decoded.error)
            return
        fmt = _format_of(self._origin)
        for item, reason in decoded.skipped:
            self._problem(item, fmt, f"array item skipped: {reason}")
        for named in decoded.calls:
            self._call(out, named)
        if self._origin != _MISTRAL_ARRAY:
            self._mode = type(self)._separator

    def _json_refused(self, out: Out, text: str, reason: str) -> None:
        if self._origin != LLAMA_JSON:
            self._refuse(out, self._opener + text, _format_of(self._origin), reason)
            return
        self._at_start = False
        self._pushback = text
        if _LOOKS_LIKE_CALL.match(text):
            self._problem(text, LLAMA_JSON, reason)

    def _json_rejected(self, out: Out) -> None:
        """The value cannot be JSON: release what was held and read it as text."""
        self._mode = type(self)._text
        held = "".join(self._parts)
        if self._opener:
            reason = "not followed by a JSON value"
            self._refuse(out, self._opener, _format_of(self._origin), reason)
        else:
            self._at_start = False
        self._pushback = held

    def _separator(self, src: str, pos: int, out: Out) -> int:
        """Between ``;``/newline-separated Llama calls; separators are dropped."""
        hit = _NOT_SEPARATOR.search(src, pos)
        if hit is None:
            return len(src)
        if hit.group() in "{[":
            self._open(type(self)._json, "", self._origin)
            self._scanner = JsonScanner()
        else:
            self._at_start = False
            self._mode = type(self)._text
        return hit.start()

    # -- Mistral [TOOL_CALLS] ----------------------------------------------------------

    def _mistral_head(self, src: str, pos: int, out: Out) -> int:
        hit = _NON_SPACE.search(src, pos)
        end = len(src) if hit is None else hit.start()
        self._parts.append(src[pos:end])
        if hit is not None and hit.group() == "[":
            self._open(type(self)._json, self._raw(), _MISTRAL_ARRAY)
            self._scanner = JsonScanner()
        elif hit is not None:
            self._mode = type(self)._mistral_name
        return end

    def _mistral_name(self, src: str, pos: int, out: Out) -> int:
        hit = _NAME_END.search(src, pos)
        end = len(src) if hit is None else hit.start()
        self._parts.append(src[pos:end])
        if hit is None:
            return end
        name = "".join(self._parts).strip()
        if name and src.startswith(tag.ARGS_TAG, end):
            self._open(type(self)._json, self._raw() + tag.ARGS_TAG, MISTRAL)
            self._scanner, self._call_name = JsonScanner(), name
            return end + len(tag.ARGS_TAG)
        if name and tag.ARGS_TAG.startswith(src[end:]):
            self._hold = src[end:]
            return len(src)
        self._mode = type(self)._text
        self._refuse(out, self._raw(), MISTRAL, "[TOOL_CALLS] not followed by name[ARGS]{...}")
        return end

    def _mistral_done(self, out: Out, text: str) -> None:
        value, error = load_json(text)
        arguments = as_arguments(value) if error is None else error
        if isinstance(arguments, str):
            reason = error or f"[ARGS] {arguments}"
            self._refuse(out, self._opener + text, MISTRAL, reason)
            return
        self._call(out, (self._call_name, arguments))


_TEXT: Step = ToolCallStreamParser._text
_BLOCK: Step = ToolCallStreamParser._block
