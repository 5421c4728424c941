"""Collecting the items of one ``feed``/``close`` call."""

from __future__ import annotations

from locus.core.messages import ToolCall
from locus.toolcalls._results import ReasoningText, StreamItem

__all__ = ["Out"]


class Out:
    """The items of one ``feed``/``close`` call; adjacent texts (and reasoning) are
    gathered in lists and joined once, so the cost stays linear."""

    __slots__ = ("_items", "_pending", "_reasoning")

    def __init__(self) -> None:
        self._items: list[StreamItem] = []
        self._pending: list[str] = []
        self._reasoning = False

    def text(self, text: str) -> None:
        if text:
            self._switch(reasoning=False)
            self._pending.append(text)

    def reasoning(self, text: str) -> None:
        if text:
            self._switch(reasoning=True)
            self._pending.append(text)

    def call(self, call: ToolCall) -> None:
        self._flush()
        self._items.append(call)

    def items(self) -> list[StreamItem]:
        self._flush()
        return self._items

    def _switch(self, *, reasoning: bool) -> None:
        if self._reasoning != reasoning:
            self._flush()
            self._reasoning = reasoning

    def _flush(self) -> None:
        if self._pending:
            joined = "".join(self._pending)
            self._items.append(ReasoningText(joined) if self._reasoning else joined)
            self._pending = []
