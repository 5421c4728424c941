"""Small helpers shared by the toolcalls tests: deterministic ids and stream collection."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

from locus.core import ToolCall
from locus.toolcalls import ParsedText, ReasoningText, ToolCallStreamParser, parse_tool_calls


def ids() -> Callable[[], str]:
    """An id factory giving call_0, call_1, ..."""
    counter = itertools.count()
    return lambda: f"call_{next(counter)}"


def whole(text: str, formats: Any = "auto", **kwargs: Any) -> ParsedText:
    return parse_tool_calls(text, formats, id_factory=ids(), **kwargs)


def collect(items: Iterable[object], problems: list[Any]) -> ParsedText:
    """Gather stream items the way a model class would."""
    items = list(items)
    content = "".join(i for i in items if isinstance(i, str))
    calls = [i for i in items if isinstance(i, ToolCall)]
    reasoning = "".join(i.text for i in items if isinstance(i, ReasoningText)) or None
    return ParsedText(content, calls, reasoning, problems)


def streamed(chunks: Iterable[str], formats: Any = "auto", **kwargs: Any) -> ParsedText:
    parser = ToolCallStreamParser(formats, id_factory=ids(), **kwargs)
    items: list[object] = []
    for chunk in chunks:
        items += parser.feed(chunk)
    items += parser.close()
    return collect(items, parser.problems)


def calls(parsed: ParsedText) -> list[tuple[str, dict[str, Any]]]:
    return [(c.name, c.arguments) for c in parsed.tool_calls]
