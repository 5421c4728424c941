"""Streamed tool-call fragments joined into whole calls (every chat codec's streams)."""

from __future__ import annotations

from dataclasses import dataclass, field

from locus.core.messages import ToolCall
from locus.models._wire.arguments import is_json_object, tool_call
from locus.models._wire.object_scan import ObjectScan

__all__ = ["ToolCallAssembler"]


@dataclass(slots=True)
class _Partial:
    """One call being assembled: its argument pieces are kept in a list and joined once
    at the end (and once when they close a JSON object), never per fragment."""

    position: int
    id: str | None = None
    name: str = ""
    parts: list[str] = field(default_factory=list)
    scan: ObjectScan = field(default_factory=ObjectScan)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def whole(self) -> bool:
        """Whether the arguments so far are one whole JSON object."""
        return self.scan.whole

    def add(self, fragment: str) -> None:
        if not fragment:
            return
        if self.whole and is_json_object(fragment):
            # A re-announced call (Grok) repeats its whole arguments: start them again.
            self.parts, self.scan = [], ObjectScan()
        self.parts.append(fragment)
        if self.scan.take(fragment):
            self.scan.settle(self.text)


class ToolCallAssembler:
    """Joins streamed tool-call fragments into whole calls.

    Rule (wire-spec §4.3): a fragment with an ``id`` opens, or continues, the call with
    that id; an id-less fragment continues the call most recently opened at its
    position (the OpenAI ``index``, or the place in the array), unless it names a
    tool while that call is already complete, which opens a new call (Gemini sends
    whole calls without ids). Calls without ids get ``call_<n>`` ids at the end.
    """

    def __init__(self, id_prefix: str = "call") -> None:
        self._calls: list[_Partial] = []
        self._by_id: dict[str, _Partial] = {}
        self._at: dict[int, _Partial] = {}
        self._prefix = id_prefix

    def __bool__(self) -> bool:
        return bool(self._calls)

    def add(self, position: int, call_id: str | None, name: str | None, arguments: str) -> None:
        """Record one fragment."""
        partial = self._target(position, call_id, name)
        if name and not partial.name:
            partial.name = name
        partial.add(arguments)

    def _target(self, position: int, call_id: str | None, name: str | None) -> _Partial:
        if call_id:
            found = self._by_id.get(call_id)
            if found is None:
                found = self._open(position, call_id)
            self._at[position] = found
            return found
        current = self._at.get(position)
        if current is None or (name and current.name and current.whole):
            return self._open(position, None)
        return current

    def _open(self, position: int, call_id: str | None) -> _Partial:
        partial = _Partial(position, call_id)
        self._calls.append(partial)
        self._at[position] = partial
        if call_id:
            self._by_id[call_id] = partial
        return partial

    def calls(self) -> list[ToolCall]:
        """The assembled calls, in the order they were opened."""
        used = {p.id for p in self._calls if p.id}
        out: list[ToolCall] = []
        for n, partial in enumerate(self._calls):
            call_id = partial.id or _fresh_id(f"{self._prefix}_{n}", used)
            out.append(tool_call(call_id, partial.name, partial.text))
        return out


def _fresh_id(base: str, used: set[str]) -> str:
    candidate, k = base, 0
    while candidate in used:
        k += 1
        candidate = f"{base}_{k}"
    used.add(candidate)
    return candidate
