"""Text tool calls whose arguments hold ``NaN`` or an infinite number are refused, like
arguments that are not JSON: Python's decoder accepts them, but a stored thread (strict
JSON) could not hold the call. Found by fuzzing (tests/fuzz/fuzz_wire.py, the check that
a decoded answer can be stored). A ``<tool_call>`` block naming an offered tool is then a
call with the block's payload as ``raw_arguments`` (the agent tells the model its
arguments were not JSON); other markup is kept as text. Either way it is reported."""

from __future__ import annotations

import pytest

from locus.core.toolspec import ToolSpec
from tests.unit.toolcalls.helpers import streamed, whole

NUMBER_TOOL = ToolSpec("f", "", {"type": "object", "properties": {"x": {"type": "number"}}})


@pytest.mark.parametrize(
    "payload",
    [
        '{"name": "f", "arguments": {"x": NaN}}',
        '{"name": "f", "arguments": "{\\"x\\": Infinity}"}',
    ],
)
def test_a_block_calling_with_nan_or_infinity_is_a_call_without_arguments(payload: str) -> None:
    text = f"<tool_call>{payload}</tool_call>"
    parsed = whole(text, tools=[NUMBER_TOOL])
    (call,) = parsed.tool_calls
    assert (call.name, call.arguments, call.raw_arguments) == ("f", {}, payload)
    assert parsed.content == ""
    assert "NaN or an infinite number" in parsed.problems[-1].reason
    assert streamed([text[:9], text[9:]], tools=[NUMBER_TOOL]) == parsed


@pytest.mark.parametrize(
    "text",
    [
        '<|python_tag|>{"name": "f", "arguments": {"x": 1e999}}',
        '[TOOL_CALLS]f[ARGS]{"x": -Infinity}',
        '{"name": "f", "parameters": {"x": NaN}}',
    ],
)
def test_a_call_with_nan_or_infinity_is_refused(text: str) -> None:
    parsed = whole(text, tools=[NUMBER_TOOL])
    assert parsed.tool_calls == [] and parsed.content == text
    assert "NaN or an infinite number" in parsed.problems[-1].reason
    assert streamed([text[:9], text[9:]], tools=[NUMBER_TOOL]) == parsed


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999"])
def test_qwen3_coder_number_value_json_cannot_hold_stays_text(value: str) -> None:
    text = f"<tool_call><function=f><parameter=x>{value}</parameter></function></tool_call>"
    (call,) = whole(text, tools=[NUMBER_TOOL]).tool_calls
    assert call.arguments == {"x": value}
