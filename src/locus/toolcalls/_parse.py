"""Whole-message parsing: the stream parser fed once, its items gathered."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from locus.core.messages import ToolCall
from locus.core.toolspec import ToolSpec
from locus.toolcalls._formats import FormatsArg
from locus.toolcalls._results import ParsedText, ReasoningText, StreamItem
from locus.toolcalls._stream import ToolCallStreamParser

__all__ = ["parse_tool_calls"]

_SLICE = 65_536


def parse_tool_calls(
    text: str,
    formats: FormatsArg = "auto",
    *,
    tools: Sequence[ToolSpec] | None = None,
    id_factory: Callable[[], str] | None = None,
) -> ParsedText:
    """Split a whole model message into content, tool calls, reasoning and problems.

    The result is exactly what ``ToolCallStreamParser`` gives for any split of ``text``.
    """
    parser = ToolCallStreamParser(formats, tools=tools, id_factory=id_factory)
    items: list[StreamItem] = []
    for start in range(0, len(text), _SLICE):  # bounded slices keep every copy small
        items += parser.feed(text[start : start + _SLICE])
    items += parser.close()
    content = "".join(item for item in items if isinstance(item, str))
    calls = [item for item in items if isinstance(item, ToolCall)]
    reasoning = "".join(item.text for item in items if isinstance(item, ReasoningText))
    return ParsedText(content, calls, reasoning or None, parser.problems)
