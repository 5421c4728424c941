"""The default engine: deterministic answers that exercise every client code path.

It says its model name when asked what it is, counts when asked to count, calls the
tool the user names (or the only one offered) with arguments taken from the request,
and after tool results states them in a sentence. Given documents (Cohere formats), it
quotes them. Asked for JSON with a schema, it answers a schema-valid object; offered an
agent's ``final_result`` tool, it calls it (after the tool it was asked to use) with
schema-valid arguments.
"""

from __future__ import annotations

import json
import re

from locus.emulator._conversation import Call, Conversation, Reply, ToolDef, Turn
from locus.emulator.engines._arguments import fill_arguments
from locus.emulator.engines._grounded import grounded_answer
from locus.emulator.engines._reply import finish_reply
from locus.emulator.engines._schema_values import schema_instance
from locus.emulator.engines._structured import final_call, final_tools, is_final

__all__ = ["ScriptedEngine", "scripted_reply"]

_COUNT = re.compile(r"count(?:ing)?\s+from\s+(-?\d+)\s+to\s+(-?\d+)", re.IGNORECASE)
_IDENTITY = re.compile(
    r"(what|which)\s+(model|llm|language model|ai)\b|model are you|who are you|your name",
    re.IGNORECASE,
)
_TOOL_RESPONSE = re.compile(r"<tool_response>\s*(.*?)\s*</tool_response>", re.DOTALL)
_MAX_COUNT = 1000


class ScriptedEngine:
    """Deterministic replies computed from the request alone."""

    async def reply(self, conversation: Conversation) -> Reply:
        """The scripted answer to ``conversation``."""
        return scripted_reply(conversation)

    async def aclose(self) -> None:
        """Nothing to release."""


def scripted_reply(conversation: Conversation) -> Reply:
    """The scripted answer to ``conversation`` (also the rules engine's fallback)."""
    reasoning = _reasoning(conversation)
    results = _results(conversation)
    finals = final_tools(conversation)
    call = None if results else _pick_call(conversation)
    if call is None and finals:
        call = final_call(conversation, finals)
    if call is not None:
        return finish_reply(conversation, calls=(call,), reasoning=reasoning)
    if results:
        return finish_reply(conversation, _state_results(results), reasoning=reasoning)
    if (grounded := grounded_answer(conversation)) is not None:  # documents: quote them
        return finish_reply(conversation, _as_json(conversation, grounded), reasoning=reasoning)
    return finish_reply(
        conversation, _as_json(conversation, _answer(conversation)), reasoning=reasoning
    )


def _reasoning(conversation: Conversation) -> str:
    if not conversation.reasoning:
        return ""
    snippet = " ".join(conversation.last_user_text().split()[:20])
    return f"The user asked: {snippet}. I will answer directly."


def _as_json(conversation: Conversation, text: str) -> str:
    """The answer as JSON when a response format asks for it (schema-shaped if given)."""
    if conversation.json_schema is not None:
        return json.dumps(schema_instance(conversation.json_schema, conversation.last_user_text()))
    if conversation.json_mode:
        return json.dumps({"answer": text})
    return text


def _results(conversation: Conversation) -> list[Turn]:
    pending = list(conversation.pending_results())
    if pending:
        return pending
    found = _TOOL_RESPONSE.findall(conversation.last_user_text())
    return [Turn("tool", text) for text in found]


def _state_results(results: list[Turn]) -> str:
    parts = []
    for turn in results:
        subject = f"The result of {turn.tool_name}" if turn.tool_name else "The result"
        text = turn.text.strip()
        end = "" if text.endswith((".", "!", "?")) else "."  # no "..." after a sentence
        parts.append(f"{subject} is {text}{end}")
    return " ".join(parts)


def _pick_call(conversation: Conversation) -> Call | None:
    tool = _pick_tool(conversation)
    if tool is None:
        return None
    names = tuple(sorted((t.name for t in conversation.tools), key=len, reverse=True))
    arguments = fill_arguments(tool.parameters, conversation.last_user_text(), names)
    return Call(tool.name, arguments)


def _pick_tool(conversation: Conversation) -> ToolDef | None:
    tools = tuple(t for t in conversation.tools if not is_final(t.name))
    choice = conversation.tool_choice
    if not tools or choice == "none":
        return None
    if choice not in ("auto", "required"):
        return next((t for t in tools if t.name == choice), None)
    text = conversation.last_user_text()
    named = [(text.find(t.name), t) for t in tools if t.name and t.name in text]
    if named:
        return min(named, key=lambda pair: pair[0])[1]
    if len(tools) == 1 or choice == "required":
        return tools[0]
    return None


def _answer(conversation: Conversation) -> str:
    text = conversation.last_user_text()
    count = _COUNT.search(text)
    if count is not None:
        return _count(int(count.group(1)), int(count.group(2)), text)
    if _IDENTITY.search(text):
        return f"I am {conversation.model}, served by the Locus OCI emulator."
    snippet = " ".join(text.split()[:40])
    return f"This is {conversation.model} on the Locus OCI emulator. You said: {snippet}"


def _count(start: int, stop: int, text: str) -> str:
    step = 1 if stop >= start else -1
    numbers = range(start, stop + step, step)[:_MAX_COUNT]
    separator = " " if "space" in text.lower() and "comma" not in text.lower() else ", "
    return separator.join(str(n) for n in numbers)
