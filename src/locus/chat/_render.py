"""How a chat shows a run: streamed text, one line per tool call, typed output as JSON.

A sub-agent's tool calls (an agent used as a tool) show under the calling tool call,
indented one step per level and named after the sub-agent; its text is not printed (its
answer is the calling tool call's result).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from locus.agent import (
    ModelTextDelta,
    RunEvent,
    RunFinished,
    SubAgentEvent,
    ToolCallFinished,
    ToolCallStarted,
)

__all__ = ["Renderer", "short"]

_MAX = 120


def short(text: str, limit: int = _MAX) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _arguments(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in arguments.items())


class Renderer:
    """Writes one run's events to ``out`` as they arrive."""

    def __init__(self, out: TextIO, structured: bool) -> None:
        self.out = out
        self.structured = structured
        self.at_line_start = True
        self.result: Any = None

    def write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
        if text:
            self.at_line_start = text.endswith("\n")

    def line(self, text: str) -> None:
        if not self.at_line_start:
            self.write("\n")
        self.write(text + "\n")

    def show(self, event: RunEvent) -> None:
        if isinstance(event, ModelTextDelta) and not self.structured:
            self.write(event.text)
        elif isinstance(event, ToolCallStarted | ToolCallFinished):
            self.tool_line(event, "  ")
        elif isinstance(event, SubAgentEvent):
            inner = event.innermost
            if isinstance(inner, ToolCallStarted | ToolCallFinished):
                self.tool_line(inner, "  " + "    " * len(event.path), f"{event.path[-1]} › ")
        elif isinstance(event, RunFinished):
            self.result = event.result
            if self.structured:
                from pydantic_core import to_json

                self.line(to_json(event.result.output, indent=2).decode())

    def tool_line(
        self, event: ToolCallStarted | ToolCallFinished, indent: str, agent: str = ""
    ) -> None:
        """One line for a tool call's start or its result, under ``indent``."""
        if isinstance(event, ToolCallStarted):
            self.line(
                f"{indent}⚙ {agent}{event.call.name}({short(_arguments(event.call.arguments))})"
            )
        else:
            mark = "✗" if event.is_error else "→"
            self.line(f"{indent}  {mark} {short(event.result.content or '')}")

    def end(self) -> None:
        if not self.at_line_start:
            self.write("\n")
