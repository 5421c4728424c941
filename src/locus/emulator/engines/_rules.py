"""Rules files: exact replies and tool calls scripted for a test, in JSON or YAML.

::

    rules:
      - when: {contains: "weather", model: "xai.*", tool_results: false}
        reply: {tool_calls: [{name: get_weather, arguments: {city: Paris}}]}
      - when: {tool_results: true}
        reply: {text: "It is sunny: {results}."}
        times: 1
      - when: {structured: true, contains: "Paris"}
        reply: {json: {name: Paris, population: 2100000}}

The first rule whose conditions all hold answers (``times`` limits how often a rule
fires); when none does, the scripted engine answers. In reply texts ``{model}``,
``{user}`` and ``{results}`` are replaced. A ``json`` reply is a structured answer: the
JSON text when a response format asks for JSON, else a call of the agent's
``final_result`` tool with it as arguments; ``structured`` matches requests that ask
for either.
"""

from __future__ import annotations

import fnmatch
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locus.emulator._conversation import Call, Conversation, Reply
from locus.emulator.engines._reply import finish_reply
from locus.emulator.engines._scripted import scripted_reply
from locus.emulator.engines._structured import final_tools, wants_structure

__all__ = ["Rule", "RulesEngine", "load_rules"]


@dataclass(slots=True)
class Rule:
    """One scripted answer and the conditions under which it is given."""

    when: Mapping[str, Any]
    text: str = ""
    calls: tuple[Call, ...] = ()
    times: int | None = None
    json_value: Any = None

    def matches(self, conversation: Conversation) -> bool:
        """True when every condition of this rule holds for ``conversation``."""
        if self.times is not None and self.times <= 0:
            return False
        user = conversation.last_user_text()
        checks = {
            "contains": lambda v: str(v).lower() in user.lower(),
            "regex": lambda v: re.search(str(v), user) is not None,
            "model": lambda v: fnmatch.fnmatchcase(conversation.model, str(v)),
            "tool_results": lambda v: bool(conversation.pending_results()) == bool(v),
            "tools": lambda v: bool(conversation.tools) == bool(v),
            "structured": lambda v: wants_structure(conversation) == bool(v),
        }
        unknown = set(self.when) - set(checks)
        if unknown:
            raise ValueError(f"unknown rule condition(s) {sorted(unknown)}")
        return all(checks[name](value) for name, value in self.when.items())


class RulesEngine:
    """Answers from a rules file, falling back to the scripted engine."""

    def __init__(self, rules: list[Rule]) -> None:
        self._rules = rules
        self._lock = threading.Lock()

    async def reply(self, conversation: Conversation) -> Reply:
        """The first matching rule's answer, or the scripted one."""
        with self._lock:
            rule = next((r for r in self._rules if r.matches(conversation)), None)
            if rule is not None and rule.times is not None:
                rule.times -= 1
        if rule is None:
            return scripted_reply(conversation)
        if rule.json_value is not None:
            return _structured_reply(rule.json_value, conversation)
        return finish_reply(conversation, _fill(rule.text, conversation), rule.calls)

    async def aclose(self) -> None:
        """Nothing to release."""


def load_rules(path: str | Path) -> RulesEngine:
    """A rules engine for the file at ``path``."""
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    if file.suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    entries = data.get("rules") if isinstance(data, Mapping) else data
    if not isinstance(entries, list):
        raise ValueError(f"{file}: expected a list of rules")
    return RulesEngine([_rule(entry) for entry in entries])


def _rule(entry: Mapping[str, Any]) -> Rule:
    reply = entry.get("reply") or {}
    calls = tuple(
        Call(str(c["name"]), dict(c.get("arguments") or {})) for c in reply.get("tool_calls") or ()
    )
    times = entry.get("times")
    when = dict(entry.get("when") or {})
    return Rule(when, str(reply.get("text", "")), calls, times, reply.get("json"))


def _structured_reply(value: Any, conversation: Conversation) -> Reply:
    finals = final_tools(conversation)
    if finals and not conversation.json_mode:
        arguments = value if isinstance(value, dict) else {"response": value}
        return finish_reply(conversation, calls=(Call(finals[0].name, arguments),))
    return finish_reply(conversation, json.dumps(value))


def _fill(text: str, conversation: Conversation) -> str:
    results = ", ".join(turn.text for turn in conversation.pending_results())
    return (
        text.replace("{model}", conversation.model)
        .replace("{user}", conversation.last_user_text())
        .replace("{results}", results)
    )
