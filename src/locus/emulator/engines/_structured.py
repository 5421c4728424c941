"""Structured answers: the ``final_result`` tool an agent offers, and answers spoiled on
purpose (the ``bad_json`` and ``bad_schema`` settings) so that retries can be tested.

A tool named ``final_result`` or ``final_result_<Name>`` (one per member of a union) is
how an agent asks for typed output through a tool; the scripted engine calls it, after
the tool it was asked to use, with arguments built from its schema.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from locus.emulator._conversation import Call, Conversation, Reply, ToolDef
from locus.emulator._knobs import Knobs
from locus.emulator.engines._schema_values import schema_instance

__all__ = ["final_call", "final_tools", "is_final", "spoil", "wants_structure"]

FINAL = "final_result"


def is_final(name: str) -> bool:
    """Whether ``name`` is an agent's output tool (``final_result`` or ``final_result_X``)."""
    return name == FINAL or name.startswith(FINAL + "_")


def final_tools(conversation: Conversation) -> tuple[ToolDef, ...]:
    """The output tools offered (none when ``tool_choice`` is NONE)."""
    choice = conversation.tool_choice
    if choice == "none":
        return ()
    forced = is_final(choice)
    return tuple(
        t for t in conversation.tools if is_final(t.name) and (not forced or t.name == choice)
    )


def wants_structure(conversation: Conversation) -> bool:
    """Whether the request asks for JSON or offers an output tool."""
    return conversation.json_mode or bool(final_tools(conversation))


def final_call(conversation: Conversation, tools: tuple[ToolDef, ...]) -> Call:
    """A call of the output tool the user's words name (``final_result_City`` for "city"),
    else the first, with schema-valid arguments from the results and the user's words."""
    text = conversation.last_user_text()
    lowered = text.lower()
    named = [t for t in tools if t.name != FINAL and t.name[len(FINAL) + 1 :].lower() in lowered]
    tool = named[0] if named else tools[0]
    results = " ".join(turn.text for turn in conversation.pending_results())
    arguments = schema_instance(tool.parameters, f"{results} {text}".strip())
    return Call(tool.name, arguments if isinstance(arguments, dict) else {})


def spoil(reply: Reply, conversation: Conversation, knobs: Knobs) -> Reply:
    """``reply`` spoiled when a ``bad_json``/``bad_schema`` count is left and the reply is a
    structured answer (JSON text, or an output-tool call); each spoiled reply uses one."""
    if not (knobs.bad_json or knobs.bad_schema) or not _structured(reply, conversation):
        return reply
    if knobs.bad_json:
        knobs.bad_json -= 1
        return _broken_json(reply)
    knobs.bad_schema -= 1
    return _broken_schema(reply, conversation)


def _structured(reply: Reply, conversation: Conversation) -> bool:
    if any(is_final(call.name) for call in reply.calls):
        return True
    return conversation.json_mode and not reply.calls and reply.text.lstrip().startswith("{")


def _broken_json(reply: Reply) -> Reply:
    """JSON cut in half; an output-tool call becomes that cut JSON as plain text."""
    final = next((c for c in reply.calls if is_final(c.name)), None)
    text = json.dumps(final.arguments) if final is not None else reply.text
    cut = text[: max(1, len(text) // 2)]
    return replace(reply, text=cut, calls=(), finish="stop")


def _broken_schema(reply: Reply, conversation: Conversation) -> Reply:
    """Valid JSON that breaks the schema: the first required property left out (a wrong
    type in the first property when none is required)."""
    tools = {t.name: t.parameters for t in conversation.tools}
    calls = tuple(
        replace(c, arguments=_break(c.arguments, tools.get(c.name) or {}))
        if is_final(c.name)
        else c
        for c in reply.calls
    )
    if calls != reply.calls:
        return replace(reply, calls=calls)
    try:
        value = json.loads(reply.text)
    except ValueError:
        return reply
    if not isinstance(value, dict):
        return replace(reply, text="{}")
    return replace(reply, text=json.dumps(_break(value, conversation.json_schema or {})))


_WRONG = [[{"not": "what the schema says"}]]


def _break(value: dict[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    required = schema.get("required")
    names = [n for n in required if n in value] if isinstance(required, list) else []
    if names:
        return {k: v for k, v in value.items() if k != names[0]}
    first = next(iter(value), None)
    return {**value, first: _WRONG} if first is not None else {"unexpected": _WRONG}
