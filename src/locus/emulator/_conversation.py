"""The emulator's own neutral view of a chat request and of the reply an engine gives.

Every wire format (GENERIC, COHERE, COHEREV2, OpenAI) is parsed into a
:class:`Conversation` and every :class:`Reply` is rendered back, so engines never see
wire field names. These types are private to the emulator (it shares no wire-mapping
code with the client).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from locus.emulator._grounding import Doc

__all__ = ["Call", "Conversation", "Reply", "ToolDef", "Turn", "count_words"]


@dataclass(frozen=True, slots=True)
class Call:
    """A tool call: the tool's name and its arguments as a JSON object."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    id: str = ""


@dataclass(frozen=True, slots=True)
class Turn:
    """One message: role is ``system``, ``user``, ``assistant`` or ``tool``."""

    role: str
    text: str = ""
    calls: tuple[Call, ...] = ()
    call_id: str = ""
    tool_name: str = ""


@dataclass(frozen=True, slots=True)
class ToolDef:
    """A tool offered to the model, with a JSON Schema object for its parameters."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Conversation:
    """A chat request reduced to what an engine needs."""

    model: str
    turns: tuple[Turn, ...]
    tools: tuple[ToolDef, ...] = ()
    tool_choice: str = "auto"
    max_tokens: int | None = None
    json_mode: bool = False
    json_schema: dict[str, Any] | None = None
    reasoning: bool = False
    documents: tuple[Doc, ...] = ()
    """The documents to ground the answer on (COHERE, COHEREV2 ``documents``)."""
    cite: bool = True
    """Whether the answer cites them (not with COHEREV2 ``citationOptions.mode`` OFF)."""

    def last_user_text(self) -> str:
        """The text of the most recent user turn ("" if none)."""
        for turn in reversed(self.turns):
            if turn.role == "user":
                return turn.text
        return ""

    def pending_results(self) -> tuple[Turn, ...]:
        """Tool results that arrived after the last user turn (what the model must answer)."""
        results: list[Turn] = []
        for turn in reversed(self.turns):
            if turn.role == "user":
                break
            if turn.role == "tool":
                results.append(turn)
        return tuple(reversed(results))

    def prompt_words(self) -> int:
        """A token estimate for the prompt: words of every message (at least 1)."""
        words = sum(count_words(turn.text) for turn in self.turns)
        words += sum(count_words(tool.description) + 1 for tool in self.tools)
        return max(words, 1)


@dataclass(frozen=True, slots=True)
class Reply:
    """What the model says: text and/or tool calls, why it stopped, and token counts.

    ``reasoning`` is the model's visible thinking (counted in ``completion_tokens``).
    """

    text: str = ""
    calls: tuple[Call, ...] = ()
    finish: str = "stop"
    prompt_tokens: int = 1
    completion_tokens: int = 1
    reasoning: str = ""

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


def count_words(text: str) -> int:
    """Whitespace-separated words in ``text``."""
    return len(text.split())
