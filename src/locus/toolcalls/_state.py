"""What one parse of a model message keeps, and how every parsing mode reports.

``ParserState`` is the base of ``ToolCallStreamParser`` (``_stream``): the enabled
formats and tools, the text held back, the pieces of the markup being read, the problems
so far, and the primitives the modes share (emit visible text, a call, a refusal).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from locus.core._call_ids import new_call_id
from locus.core.messages import ToolCall
from locus.core.toolspec import ToolSpec
from locus.toolcalls import _tags as tag
from locus.toolcalls._calls import NamedArgs
from locus.toolcalls._coder_xml import Schemas
from locus.toolcalls._formats import LLAMA_JSON, FormatsArg, resolve_formats
from locus.toolcalls._jsonscan import JsonScanner
from locus.toolcalls._output import Out
from locus.toolcalls._results import ParseProblem

__all__ = ["ParserState", "Step"]

Step = Callable[[Any, str, int, Out], int]
"""A parsing mode: a method of the parser, kept unbound so the parser holds no cycle."""


class ParserState:
    """The state of one message's parse and the primitives its modes use."""

    _mode: Step

    def __init__(
        self,
        formats: FormatsArg,
        tools: Sequence[ToolSpec] | None,
        id_factory: Callable[[], str] | None,
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

    @functools.cached_property
    def _schemas(self) -> Schemas:  # made on the first call decoded, not per message
        return {spec.name: spec.parameters for spec in self._tools or ()}

    @property
    def problems(self) -> list[ParseProblem]:
        """Everything refused so far (the refused markup is also in the visible text, or,
        for a block naming an offered tool, the payload of a call without arguments)."""
        return list(self._problems)

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
