"""What the tool-call parsers produce: parsed text, reasoning deltas and problems."""

from __future__ import annotations

from dataclasses import dataclass, field

from locus.core.messages import ToolCall

__all__ = ["ParseProblem", "ParsedText", "ReasoningText", "StreamItem"]


@dataclass(slots=True, frozen=True)
class ReasoningText:
    """A piece of reasoning text (``<think>`` content); deliberately not a ``str``."""

    text: str


@dataclass(slots=True, frozen=True)
class ParseProblem:
    """Markup that looked like a tool call (or reasoning) but could not be used.

    ``text`` is the markup as received; refused blocks stay in the visible content,
    except a closed block that names an offered tool, which is a call to it with no
    arguments and its payload as ``raw_arguments`` (the agent answers it with an error the
    model reads); skipped array items and a bare ``</think>`` are removed. ``reason`` says
    why, ``format`` names the format (``"think"`` for reasoning markup).
    """

    text: str
    reason: str
    format: str


@dataclass(slots=True)
class ParsedText:
    """A whole message split into visible content (markup removed, whitespace kept
    verbatim), tool calls, reasoning (``None`` when there was none) and problems."""

    content: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    reasoning: str | None = None
    problems: list[ParseProblem] = field(default_factory=list)


StreamItem = str | ToolCall | ReasoningText
"""One item returned by ``ToolCallStreamParser.feed``/``close``."""
