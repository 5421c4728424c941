"""Fuzz the text tool-call parser with messages composed of well-formed pieces, whose
calls, visible text and reasoning are known: prose (without ``<``, ``[`` or ``{``),
``<think>`` blocks, special tokens and calls in every format (Hermes JSON in its variants,
Qwen3-Coder XML, ``<|python_tag|>``, Mistral arrays and ``name[ARGS]``, and Llama JSON at
the start), with arguments of any JSON (strings full of brackets, quotes, escapes, lone
surrogates and markup).

Judged by, whole and in random chunks: exactly the composed calls in order, exactly the
prose as content (no markup, nothing lost), exactly the reasoning, and no problem, but
for the calls composed to be refused (arguments nested too deeply, or holding ``NaN``):
each reported once, and kept as text, except a ``<tool_call>`` block naming an offered
tool, which is a call with its text as ``raw_arguments`` (the agent tells the model).

Run: ``.venv/bin/python -m tests.fuzz.fuzz_toolcalls_compose -max_total_time=600 <dir>``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from locus.core._json_values import MAX_NESTING
from locus.core.toolspec import ToolSpec
from locus.toolcalls import parse_tool_calls
from tests.fuzz._support import Provider, chunks, fuzz, provider
from tests.fuzz.fuzz_toolcalls import ids, streamed

NAMES = ["get_weather", "f", "a.b-c_1", "search"]
TOOLS = [ToolSpec(name, "", {"type": "object"}) for name in NAMES]
KEYS = ["city", "q", "n", "<tool_call>", '"', "é", "a b"]
STRINGS = [
    "</tool_call>",
    "<|python_tag|>",
    "[TOOL_CALLS]",
    "[ARGS]",
    "</think>",
    "{",
    "}",
    "[",
    "]",
    '"',
    "\\",
    "\\n",
    ";",
    "<function=x>",
    "</parameter>",
    "\ud800",
    "",
]
BLOCK_MARKERS = ("<tool_call>", "</tool_call>", "<tool_calling>", "</tool_calling>")
_AFTER_JSON_CALL = re.compile(r"[\s;]*")


@dataclass
class Message:
    text: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    separator: bool = False
    """Whether the last piece was a JSON call after which ``;`` and spaces are dropped."""
    refused: int = 0
    """How many calls were composed to be refused (each one problem)."""
    offered: bool = False
    """Whether tools are offered (a refused block naming one is then a failed call)."""


def prose(p: Provider) -> str:
    return re.sub(r"[<\[{]", "", p.ConsumeUnicodeNoSurrogates(p.ConsumeIntInRange(0, 12)))


def value(p: Provider, depth: int = 0) -> Any:
    kind = p.ConsumeIntInRange(0, 7 if depth < 3 else 4)
    if kind == 0:
        return [None, True, False, 0, -1, 2**70, 0.5, -1e300][p.ConsumeIntInRange(0, 7)]
    if kind in (1, 2):
        return STRINGS[p.ConsumeIntInRange(0, len(STRINGS) - 1)]
    if kind in (3, 4):
        return p.ConsumeUnicodeNoSurrogates(p.ConsumeIntInRange(0, 6))
    if kind == 5:
        return [value(p, depth + 1) for _ in range(p.ConsumeIntInRange(0, 3))]
    return arguments(p, depth + 1)


def arguments(p: Provider, depth: int = 0) -> dict[str, Any]:
    return {
        KEYS[p.ConsumeIntInRange(0, len(KEYS) - 1)]: value(p, depth)
        for _ in range(p.ConsumeIntInRange(0, 3))
    }


def dumps(p: Provider, obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=p.ConsumeBool(), indent=p.ConsumeIntInRange(0, 2) or None)


def add_prose(p: Provider, m: Message) -> None:
    text = prose(p)
    m.text.append(text)
    if m.separator:
        dropped = _AFTER_JSON_CALL.match(text)
        text = text[dropped.end() if dropped else 0 :]
        m.separator = not text
    m.content.append(text)


def add_hermes(p: Provider, m: Message) -> None:
    opener = ["<tool_call>", "<tool_calling>"][p.ConsumeIntInRange(0, 1)]
    count = p.ConsumeIntInRange(1, 2)
    named = [(NAMES[p.ConsumeIntInRange(0, 3)], arguments(p)) for _ in range(count)]
    objs = []
    for name, args in named:
        key = ["arguments", "parameters"][p.ConsumeIntInRange(0, 1)]
        objs.append({"name": name, key: dumps(p, args) if p.ConsumeBool() else args})
    payload = dumps(p, objs if count > 1 or p.ConsumeBool() else objs[0])
    if any(marker in payload for marker in BLOCK_MARKERS):
        return  # (a block ends at its first closer, whatever the JSON says: not composable)
    space = ["", "\n", " \r\n"][p.ConsumeIntInRange(0, 2)]
    m.text.append(opener + space + payload + space + opener.replace("<", "</"))
    m.calls += named
    m.separator = False


def add_coder(p: Provider, m: Message) -> None:
    name = NAMES[p.ConsumeIntInRange(0, 3)]
    params = {f"k{n}": prose(p) for n in range(p.ConsumeIntInRange(0, 3))}
    body = "".join(f"<parameter={k}>\n{v}\n</parameter>\n" for k, v in params.items())
    m.text.append(f"<tool_call>\n<function={name}>\n{body}</function>\n</tool_call>")
    m.calls.append((name, params))
    m.separator = False


def add_json_call(p: Provider, m: Message, *, llama: bool) -> None:
    name, args = NAMES[p.ConsumeIntInRange(0, 3)], arguments(p)
    key = "parameters" if llama or p.ConsumeBool() else "arguments"
    m.text.append(("" if llama else "<|python_tag|>") + dumps(p, {"name": name, key: args}))
    m.calls.append((name, args))
    m.separator = True


def add_mistral(p: Provider, m: Message) -> None:
    named = [
        (NAMES[p.ConsumeIntInRange(0, 3)], arguments(p)) for _ in range(p.ConsumeIntInRange(1, 2))
    ]
    if p.ConsumeBool():
        listed = [{"name": n, "arguments": a} for n, a in named]
        m.text.append("[TOOL_CALLS]" + " " * p.ConsumeIntInRange(0, 1) + dumps(p, listed))
    else:
        m.text.append("".join(f"[TOOL_CALLS]{n}[ARGS]{dumps(p, a)}" for n, a in named))
    m.calls += named
    m.separator = False


def add_think(p: Provider, m: Message) -> None:
    thought = prose(p)
    m.text.append(f"<think>{thought}</think>")
    m.reasoning.append(thought)
    m.separator = False  # (any character but ``;`` and spaces ends the separator)


def add_token(p: Provider, m: Message) -> None:
    m.text.append(["<|im_end|>", "<|eot_id|>", "<|eom_id|>"][p.ConsumeIntInRange(0, 2)])
    m.separator = False


def add_refused(p: Provider, m: Message) -> None:
    """A call whose arguments no tool may get: nested past ``MAX_NESTING`` (or past the
    interpreter's recursion limit), or holding ``NaN``: reported, and kept as text, but
    for a ``<tool_call>`` block when ``f`` is offered: a call to ``f`` without arguments."""
    levels = [MAX_NESTING + 1, 1200][p.ConsumeIntInRange(0, 1)]
    arguments = ["[" * levels + "]" * levels, "NaN", "1e999"][p.ConsumeIntInRange(0, 2)]
    call = '{"name": "f", "arguments": {"a": ' + arguments + "}}"
    block = p.ConsumeIntInRange(0, 1) == 0
    text = "<tool_call>" + call + "</tool_call>" if block else "<|python_tag|>" + call
    m.text.append(text)
    if block and m.offered:
        m.calls.append(("f", {}))
    else:
        m.content.append(text)
    m.refused += 1
    m.separator = False


PIECES = [add_prose, add_prose, add_hermes, add_coder, add_mistral, add_think, add_token,
          add_refused]  # fmt: skip


def compose(p: Provider, *, offered: bool = False) -> Message:
    m = Message(offered=offered)
    if p.ConsumeIntInRange(0, 5) == 0:
        add_json_call(p, m, llama=True)
    for _ in range(p.ConsumeIntInRange(0, 6)):
        k = p.ConsumeIntInRange(0, len(PIECES))
        if k == len(PIECES):
            add_json_call(p, m, llama=False)
        else:
            PIECES[k](p, m)
    return m


def same(got: list[tuple[str, dict[str, Any]]], want: list[tuple[str, dict[str, Any]]]) -> bool:
    return got == want or (_no_nan(want) and repr(got) == repr(want))


def _no_nan(obj: Any) -> bool:
    return not any(isinstance(v, float) and math.isnan(v) for v in _leaves(obj))


def _leaves(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _leaves(v)]
    if isinstance(obj, list | tuple):
        return [x for v in obj for x in _leaves(v)]
    return [obj]


def test_one_input(data: bytes) -> None:
    check(provider(data))


def check(p: Provider) -> None:
    """One composed message, parsed whole and in chunks, against what it is made of."""
    tools = TOOLS if p.ConsumeBool() else None
    m = compose(p, offered=tools is not None)
    text = "".join(m.text)
    content, reasoning = "".join(m.content), "".join(m.reasoning) or None
    whole = parse_tool_calls(text, "auto", tools=tools, id_factory=ids())
    pieces = list(chunks(text, p.ConsumeIntInRange(0, 65535)))
    for parsed in (whole, streamed(pieces, "auto", tools)):
        calls = [(c.name, c.arguments) for c in parsed.tool_calls]
        got = (parsed.content, parsed.reasoning, len(parsed.problems))
        want = (content, reasoning, m.refused)
        assert got == want and same(calls, m.calls), (text, got, calls, m)


if __name__ == "__main__":
    fuzz(test_one_input)
