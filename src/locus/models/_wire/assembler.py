"""Streamed tool-call fragments joined into whole calls (every chat codec's streams)."""

from __future__ import annotations

from dataclasses import dataclass, field

from locus.core._call_ids import new_call_id
from locus.core.messages import ToolCall
from locus.models._wire.arguments import tool_call
from locus.models._wire.object_scan import ObjectScan, parse_object
from locus.models._wire.surrogates import whole_text

__all__ = ["ToolCallAssembler"]


@dataclass(slots=True)
class _Partial:
    """One call being assembled: its argument pieces are kept in a list and joined once
    at the end (and once when they close a JSON object), never per fragment."""

    position: int
    id: str | None = None
    name: str = ""
    event: int = -1
    """The stream event that last brought a fragment of this call."""
    parts: list[str] = field(default_factory=list)
    scan: ObjectScan = field(default_factory=ObjectScan)

    @property
    def text(self) -> str:
        """The arguments so far (a character cut between two fragments joined again)."""
        return whole_text("".join(self.parts))

    @property
    def whole(self) -> bool:
        """Whether the arguments so far are one whole JSON object."""
        return self.scan.whole

    def repeats(self, fragment: str) -> bool:
        """Whether ``fragment`` is nothing, or this whole call's arguments once more."""
        if not fragment.strip():
            return True
        return self.whole and parse_object(fragment) == self.scan.value

    def add(self, fragment: str) -> None:
        if not fragment or (self.whole and self.repeats(fragment)):
            return  # a re-announced call (Grok) repeats its whole arguments: keep one copy
        self.parts.append(fragment)  # (a piece of spaces too: it may be inside a string)
        if self.scan.take(fragment):
            self.scan.settle(self.text)


class ToolCallAssembler:
    """Joins streamed tool-call fragments into whole calls; never merges two calls.

    Rule (wire-spec §4.3, docs/reliability.md "Streamed tool calls"): a fragment with
    an ``id`` continues the call with that id — with ``indexed`` (OpenAI), the call at
    its ``index`` when that call has the id — unless it starts another call: the call
    already took a fragment in this stream event, or its arguments are already a whole
    JSON object and the fragment names another tool or brings other arguments (the
    same whole arguments again are a re-announcement, as Grok sends, and kept once).
    An id-less fragment continues the call most recently opened at its position,
    unless that call is whole and the fragment names a tool (Gemini sends whole calls
    without ids) or brings other arguments. Calls without ids get ``call_<n>`` ids.
    """

    def __init__(self, id_prefix: str = "call", *, indexed: bool = False) -> None:
        self._calls: list[_Partial] = []
        self._by_id: dict[str, _Partial] = {}
        self._at: dict[int, _Partial] = {}
        self._prefix = id_prefix
        self._indexed = indexed
        self._event = 0

    def __bool__(self) -> bool:
        return bool(self._calls)

    def next_event(self) -> None:
        """Mark the start of the next stream event (its fragments belong to other calls)."""
        self._event += 1

    def add(self, position: int, call_id: str | None, name: str | None, arguments: str) -> None:
        """Record one fragment."""
        if call_id:
            partial = self._with_id(position, call_id, name, arguments)
        else:
            partial = self._without_id(position, name, arguments)
        if name and not partial.name:
            partial.name = name
        partial.event = self._event
        partial.add(arguments)

    def _with_id(self, position: int, call_id: str, name: str | None, arguments: str) -> _Partial:
        found = self._at.get(position) if self._indexed else self._by_id.get(call_id)
        if found is None or found.id not in (None, call_id) or found.event == self._event:
            return self._open(position, call_id)
        if found.whole and _starts_another(found, name, arguments):
            return self._open(position, call_id)
        found.id = call_id
        self._at[position] = found
        return found

    def _without_id(self, position: int, name: str | None, arguments: str) -> _Partial:
        current = self._at.get(position)
        if current is None:
            return self._open(position, None)
        if not current.whole or (not name and current.repeats(arguments)):
            return current
        # another call after a whole one: it follows the (re-)announcement of its tool
        same_tool = not name or name == current.name
        partial = self._open(position, current.id if same_tool else None)
        partial.name = current.name if same_tool else ""
        return partial

    def _open(self, position: int, call_id: str | None) -> _Partial:
        partial = _Partial(position, call_id)
        self._calls.append(partial)
        self._at[position] = partial
        if call_id:
            self._by_id[call_id] = partial
        return partial

    def calls(self) -> list[ToolCall]:
        """The assembled calls, in the order they were opened."""
        out: list[ToolCall] = []
        for partial in self._calls:
            call_id = partial.id or new_call_id(self._prefix)
            if partial.whole:  # decoded once already, when its object closed
                out.append(ToolCall(call_id, partial.name, partial.scan.value or {}))
            else:
                out.append(tool_call(call_id, partial.name, partial.text))
        return out


def _starts_another(whole: _Partial, name: str | None, arguments: str) -> bool:
    """Whether a fragment with a whole call's id names another tool or brings other arguments."""
    if name and whole.name and name != whole.name:
        return True
    return not whole.repeats(arguments)
