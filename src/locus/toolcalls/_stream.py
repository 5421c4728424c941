"""The incremental tool-call parser: text in, visible text / reasoning / calls out.

One state machine serves whole and streamed parsing (``parse_tool_calls`` is one
``feed`` plus ``close``), so any split of a text gives the same result. Each step
consumes the input from a position and never rescans what it has decided: visible
text flows at once, and only a suffix that could still become a marker is held.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall
from locus.core.toolspec import ToolSpec
from locus.toolcalls import _tags as tag
from locus.toolcalls._blocks import decode_block, intended_tool
from locus.toolcalls._calls import as_arguments, decode_json_calls, load_json
from locus.toolcalls._formats import (
    GLM,
    HERMES,
    LLAMA_JSON,
    LLAMA_PYTHON_TAG,
    MISTRAL,
    PREFILLED_THINK,
    QWEN3_CODER,
    THINK,
    FormatsArg,
)
from locus.toolcalls._glm import MAX_HEAD, NAME_START, is_glm_head
from locus.toolcalls._jsonscan import JsonScanner, ScanStatus
from locus.toolcalls._output import Out
from locus.toolcalls._results import StreamItem
from locus.toolcalls._state import ParserState, Step

__all__ = ["ToolCallStreamParser"]

_MISTRAL_ARRAY = "mistral_array"
_NON_SPACE = re.compile(r"\S")
_NOT_SEPARATOR = re.compile(r"[^\s;]")
_NAME_END = re.compile(r"[^A-Za-z0-9_.\-]")
_LOOKS_LIKE_CALL = re.compile(
    r'\s*\[?\s*\{\s*"name"\s*:\s*"[^"]*"\s*,\s*"(?:parameters|arguments)"'
)


def _format_of(origin: str) -> str:
    return MISTRAL if origin == _MISTRAL_ARRAY else origin


class ToolCallStreamParser(ParserState):
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
        super().__init__(formats, tools, id_factory)
        think = PREFILLED_THINK in (self._enabled or ())
        self._mode = type(self)._think if think else type(self)._text

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
        elif mode in (type(self)._block, type(self)._block_start, type(self)._glm_head):
            self._parts.append(hold)
            self._end_block(out, closed=False)
        elif mode == type(self)._json:
            self._json_refused(out, "".join(self._parts), "incomplete JSON at end of message")
        elif mode in (type(self)._mistral_head, type(self)._mistral_name):
            self._refuse(out, self._raw() + hold, MISTRAL, "incomplete [TOOL_CALLS] call")

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
        """Right after ``<tool_call>``: a payload starts with ``{``, ``[`` or ``<``, or
        (GLM) with a tool's name; anything else is prose mentioning the tag, released
        at once."""
        hit = _NON_SPACE.search(src, pos)
        end = len(src) if hit is None else hit.start()
        self._parts.append(src[pos:end])
        if hit is not None and hit.group() in "{[<":
            self._mode = type(self)._block
        elif hit is not None and GLM in (self._enabled or ()) and NAME_START.match(hit.group()):
            self._mode = type(self)._glm_head
        elif hit is not None:
            glm_off = GLM not in (self._enabled or ()) and NAME_START.match(hit.group())
            self._not_a_payload(
                out, " (a tool's name: GLM's format, 'glm', is off)" * bool(glm_off)
            )
        return end

    def _glm_head(self, src: str, pos: int, out: Out) -> int:
        """After ``<tool_call>`` and a name's first character: a GLM payload once the
        name is followed by ``<`` (``<arg_key>``, ``</tool_call>``); prose mentioning the
        tag as soon as another word follows (then read again as text)."""
        head = "".join(self._parts)  # (blanks after the tag, the name so far)
        text = head + src[pos : pos + max(1, MAX_HEAD + 1 - len(head))]  # (enough to decide)
        starts = is_glm_head(text)
        if starts is None:
            self._parts = [text]  # (all of src: undecided means it was not cut)
            return len(src)
        if starts:
            self._mode = type(self)._block
            return pos  # (the name so far is in the parts; the block goes on from here)
        blank = len(head) - len(head.lstrip())
        self._parts = [head[:blank]]
        self._not_a_payload(out)
        self._pushback = head[blank:]  # (read again as text, then the rest of src)
        return pos

    def _not_a_payload(self, out: Out, hint: str = "") -> None:
        self._mode = type(self)._text
        enabled = self._enabled or ()
        fmt = next((f for f in (HERMES, QWEN3_CODER) if f in enabled), GLM)
        reason = f"{self._opener} not followed by a payload{hint}"
        self._refuse(out, self._raw(), fmt, reason)

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
            name = intended_tool(body, self._schemas) if closed else None
            if name is None:
                self._refuse(out, raw, result.format, reason)
                return
            self._problem(raw, result.format, reason)  # (a call the model is told about)
            self._at_start = False
            out.call(ToolCall(id=self._new_id(), name=name, raw_arguments=body.strip()))
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
