"""Deeply nested JSON in text tool calls is refused markup, never a ``RecursionError``.

Found while fuzzing (tests/fuzz): a model stuck repeating ``[`` or ``{"a":`` wrote a
payload nested past the interpreter's recursion limit (3,000 levels: 6 kB of text), and
``json.loads`` raised ``RecursionError`` out of ``parse_tool_calls`` and the stream
parser, in every format. Arguments nested more than ``MAX_NESTING`` levels (which the
next request could not encode) are refused the same way: reported, and kept as text,
except a ``<tool_call>`` block that names an offered tool, which is a call without
arguments (its payload as ``raw_arguments``: the agent tells the model).
"""

from __future__ import annotations

import pytest

from locus.core._json_values import MAX_NESTING
from locus.core.toolspec import ToolSpec
from tests.unit.toolcalls.helpers import streamed, whole

DEEP = 3000
ARRAYS = "[" * DEEP + "]" * DEEP
OBJECTS = '{"a":' * DEEP + "1" + "}" * DEEP
TOO_DEEP = '{"a":' * (MAX_NESTING + 1) + "1" + "}" * (MAX_NESTING + 1)
AT_LIMIT = '{"a":' * MAX_NESTING + "1" + "}" * MAX_NESTING
ARRAY_TOOL = ToolSpec("f", "", {"type": "object", "properties": {"a": {"type": "array"}}})

REFUSED = [
    "<tool_call>" + ARRAYS + "</tool_call>",
    "<tool_call>" + OBJECTS,
    "<|python_tag|>" + OBJECTS,
    "[TOOL_CALLS]f[ARGS]" + OBJECTS,
    "[TOOL_CALLS] [" + OBJECTS + "]",
    '<|python_tag|>{"name": "f", "arguments": ' + TOO_DEEP + "}",
    "[TOOL_CALLS]f[ARGS]" + TOO_DEEP,
    '{"name": "f", "parameters": ' + TOO_DEEP + "}",
]


@pytest.mark.parametrize("text", REFUSED, ids=range(len(REFUSED)))
def test_deep_payload_is_kept_as_text_and_reported(text: str) -> None:
    parsed = whole(text, tools=[ARRAY_TOOL])
    assert parsed.tool_calls == [] and parsed.content == text
    assert [p.reason for p in parsed.problems][-1:] != [], parsed.problems
    assert "nested too deeply" in parsed.problems[-1].reason
    chunks = [text[i : i + 7] for i in range(0, len(text), 7)]
    assert streamed(chunks, tools=[ARRAY_TOOL]) == parsed


CALLS_WITHOUT_ARGUMENTS = [
    '{"name": "f", "arguments": "' + ARRAYS + '"}',
    '{"name": "f", "arguments": ' + TOO_DEEP + "}",
    '{"name": "f", "arguments": ' + OBJECTS + "}",
]


@pytest.mark.parametrize("payload", CALLS_WITHOUT_ARGUMENTS, ids=range(3))
def test_a_deep_block_naming_an_offered_tool_is_a_call_without_arguments(payload: str) -> None:
    text = "<tool_call>" + payload + "</tool_call>"
    parsed = whole(text, tools=[ARRAY_TOOL])
    (call,) = parsed.tool_calls
    assert (call.name, call.arguments, call.raw_arguments) == ("f", {}, payload)
    assert parsed.content == "" and "nested too deeply" in parsed.problems[-1].reason
    chunks = [text[i : i + 7] for i in range(0, len(text), 7)]
    assert streamed(chunks, tools=[ARRAY_TOOL]) == parsed


def test_arguments_at_the_limit_are_a_call() -> None:
    parsed = whole('<tool_call>{"name": "f", "arguments": ' + AT_LIMIT + "}</tool_call>")
    assert [c.name for c in parsed.tool_calls] == ["f"] and parsed.problems == []


def test_an_array_item_too_deep_is_skipped_and_reported_without_its_text() -> None:
    parsed = whole('<tool_call>[{"name": "f"}, ' + "[" * 400 + "]" * 400 + "]</tool_call>")
    assert [c.name for c in parsed.tool_calls] == ["f"]
    (problem,) = parsed.problems
    assert "nested too deeply" in problem.text and len(problem.text) < 100


def test_qwen3_coder_value_too_deep_for_its_schema_stays_text() -> None:
    value = "[" * DEEP + "]" * DEEP
    text = f"<tool_call><function=f><parameter=a>{value}</parameter></function></tool_call>"
    (call,) = whole(text, tools=[ARRAY_TOOL]).tool_calls
    assert call.arguments == {"a": value}
