"""Mistral ``[TOOL_CALLS]``: a JSON array (pre-v11) or ``name[ARGS]{...}`` (v11+)."""

from __future__ import annotations

from tests.unit.toolcalls.helpers import calls, whole


def test_array_form_with_prose_before_and_after() -> None:
    parsed = whole(
        'I will check. [TOOL_CALLS] [{"name": "a", "arguments": {"c": "x"}}, {"name": "b"}] ok'
    )
    assert calls(parsed) == [("a", {"c": "x"}), ("b", {})]
    assert parsed.content == "I will check.  ok"


def test_compact_form_repeated() -> None:
    parsed = whole('[TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}[TOOL_CALLS]t.x-1[ARGS]{}')
    assert calls(parsed) == [("get_weather", {"city": "Paris"}), ("t.x-1", {})]
    assert parsed.content == ""


def test_malformed_forms_are_text_and_reported() -> None:
    for text in (
        "[TOOL_CALLS] [not valid json]",
        "[TOOL_CALLS]get weather[ARGS]{}",
        "[TOOL_CALLS][ARGS]{}",
        '[TOOL_CALLS]f[ARGS]["x"]',
        '[TOOL_CALLS]f[ARGS]{"a": tru}',
        "[TOOL_CALLS]f[ARG",
        '[TOOL_CALLS]f[ARGS]{"a": ',
    ):
        parsed = whole(text)
        assert (parsed.content, parsed.tool_calls) == (text, []), text
        assert [p.format for p in parsed.problems] == ["mistral"], text


def test_refused_marker_does_not_swallow_a_following_call() -> None:
    parsed = whole('[TOOL_CALLS] oops [TOOL_CALLS]f[ARGS]{"a": 1}')
    assert calls(parsed) == [("f", {"a": 1})]
    assert parsed.content == "[TOOL_CALLS] oops "
