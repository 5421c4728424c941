"""Tool-call arguments and the assembly of streamed tool-call fragments.

Shared by the OpenAI chat-completions codec and the OCI GENERIC/COHEREV2 codecs.

Invalid arguments never crash a decoder and never drop a call: when a model's
``arguments`` text is not a JSON object, the call keeps the text under the reserved
key ``RAW_ARGUMENTS_KEY`` (``{"__raw_arguments__": "<text>"}``) so that the agent can
answer the model with an error instead of running the tool on guessed input.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from locus.core.messages import ToolCall

__all__ = ["RAW_ARGUMENTS_KEY", "ToolCallAssembler", "dump_arguments", "parse_arguments"]

RAW_ARGUMENTS_KEY = "__raw_arguments__"
"""Key holding a tool call's raw argument text when that text is not a JSON object."""


def parse_arguments(raw: object) -> dict[str, Any]:
    """Tool-call arguments as a dict: a JSON object string, an object, or empty.

    A JSON string that itself holds a JSON object (double encoding, seen from some
    servers) is decoded twice. Anything else is kept under ``RAW_ARGUMENTS_KEY``.
    """
    if raw is None:
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    if not isinstance(raw, str):
        return {RAW_ARGUMENTS_KEY: json.dumps(raw, default=str)}
    if not raw.strip():
        return {}
    value = _loads(raw)
    if isinstance(value, str):
        value = _loads(value)
    if isinstance(value, dict):
        return value
    if value is None and raw.strip() == "null":
        return {}
    return {RAW_ARGUMENTS_KEY: raw}


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def dump_arguments(arguments: Mapping[str, Any]) -> str:
    """Arguments as the JSON string the wire expects (``{"city": "Paris"}`` layout)."""
    return json.dumps(dict(arguments), default=str)


def _is_json_object(text: str) -> bool:
    # cheap shape test first: most fragments are pieces ("{\"a\": 7,") and never parse
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return False
    return isinstance(_loads(text), dict)


@dataclass(slots=True)
class _Partial:
    position: int
    id: str | None = None
    name: str = ""
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, fragment: str) -> None:
        # A re-announced call (Grok) may repeat its whole arguments: replace, not append.
        if fragment and _is_json_object(fragment) and _is_json_object(self.text):
            self.parts = [fragment]
        elif fragment:
            self.parts.append(fragment)


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
        if current is None or (name and current.name and _is_json_object(current.text)):
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
            out.append(ToolCall(call_id, partial.name, parse_arguments(partial.text)))
        return out


def _fresh_id(base: str, used: set[str]) -> str:
    candidate, k = base, 0
    while candidate in used:
        k += 1
        candidate = f"{base}_{k}"
    used.add(candidate)
    return candidate
