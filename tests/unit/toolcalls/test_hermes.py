"""Hermes / Qwen ``<tool_call>`` JSON blocks and the ``<tool_calling>`` variant."""

from __future__ import annotations

from locus.core import ToolSpec
from tests.unit.toolcalls.helpers import calls, whole


def test_block_with_and_without_newlines_and_prose_kept() -> None:
    text = (
        'A <tool_call>{"name": "a", "arguments": {"x": 1}}</tool_call> B\n<tool'
        '_call>\n{"name": "b", "parameters": {"y": 2}}\n</tool_call>\nC'
    )
    parsed = whole(text)
    assert calls(parsed) == [("a", {"x": 1}), ("b", {"y": 2})]
    assert parsed.content == "A  B\n\nC"
    assert parsed.problems == []


def test_arguments_as_json_string_are_decoded() -> None:
    parsed = whole('<tool_call>{"name": "a", "arguments": "{\\"k\\": [1, 2]}"}</tool_call>')
    assert calls(parsed) == [("a", {"k": [1, 2]})]


def test_missing_or_null_arguments_mean_no_arguments() -> None:
    parsed = whole(
        '<tool_call>{"name": "a"}</tool_call><tool_call>{"name": "b", "argument'
        's": null}</tool_call>'
    )
    assert calls(parsed) == [("a", {}), ("b", {})]


def test_trailing_im_end_token_is_dropped() -> None:
    parsed = whole('<tool_call>{"name": "a"}</tool_call><|im_end|>')
    assert (parsed.content, calls(parsed)) == ("", [("a", {})])


def test_array_payload_keeps_calls_and_reports_skipped_items() -> None:
    parsed = whole('<tool_call>[{"name": "a"}, 7, {"arguments": {}}]</tool_call>')
    assert calls(parsed) == [("a", {})]
    assert [(p.text, p.format) for p in parsed.problems] == [
        ("7", "hermes"),
        ('{"arguments": {}}', "hermes"),
    ]
    assert "array item skipped" in parsed.problems[0].reason


def test_malformed_block_is_kept_as_text_and_reported() -> None:
    text = 'Before <tool_call>{"name": broken}</tool_call> after'
    parsed = whole(text)
    assert parsed.tool_calls == []
    assert parsed.content == text
    (problem,) = parsed.problems
    assert problem.text == '<tool_call>{"name": broken}</tool_call>'
    assert problem.format == "hermes"
    assert problem.reason.startswith("invalid JSON")


def test_empty_or_non_string_name_is_refused() -> None:
    for payload in ('{"name": ""}', '{"name": 123}', '{"arguments": {}}', "[1, 2, 3]", "not json"):
        parsed = whole(f"<tool_call>{payload}</tool_call>")
        assert parsed.tool_calls == [], payload
        assert parsed.content == f"<tool_call>{payload}</tool_call>"
        assert len(parsed.problems) == 1


def test_complete_but_unclosed_block_at_end_is_a_call() -> None:
    parsed = whole('Hi <tool_call>\n{"name": "a", "arguments": {"x": 1}}\n')
    assert (parsed.content, calls(parsed), parsed.problems) == ("Hi ", [("a", {"x": 1})], [])


def test_incomplete_unclosed_block_at_end_is_text_and_reported() -> None:
    parsed = whole('<tool_call>{"name": "a", "argu')
    assert parsed.content == '<tool_call>{"name": "a", "argu'
    assert parsed.problems[0].reason.startswith("unclosed <tool_call>: invalid JSON")


def test_a_new_opener_settles_an_unclosed_block() -> None:
    text = '<tool_call>{"name": "a"}\n<tool_calling>{"name": "b"}</tool_calling>'
    assert calls(whole(text)) == [("a", {}), ("b", {})]
    bad = whole('<tool_call>{"name": <tool_call>{"name": "b"}</tool_call>')
    assert calls(bad) == [("b", {})]
    assert bad.content == '<tool_call>{"name": '


def test_mismatched_closer_is_part_of_the_body() -> None:
    text = '<tool_call>{"name": "x"}</tool_calling> tail'
    parsed = whole(text)
    assert (parsed.content, parsed.tool_calls) == (text, [])


def test_duplicate_calls_are_all_kept_with_their_own_ids() -> None:
    block = '<tool_call>{"name": "roll", "arguments": {"sides": 6}}</tool_call>'
    parsed = whole(block * 2)
    assert calls(parsed) == [("roll", {"sides": 6})] * 2
    assert [c.id for c in parsed.tool_calls] == ["call_0", "call_1"]


def test_calls_to_tools_not_offered_are_still_returned() -> None:
    parsed = whole('<tool_call>{"name": "nope"}</tool_call>', tools=[ToolSpec("add")])
    assert calls(parsed) == [("nope", {})]


def test_json_payload_refused_when_only_qwen3_coder_is_enabled() -> None:
    text = '<tool_call>{"name": "a"}</tool_call>'
    parsed = whole(text, "qwen3_coder")
    assert (parsed.content, parsed.tool_calls) == (text, [])
    assert parsed.problems[0].format == "qwen3_coder"


def test_tags_are_plain_text_when_no_block_format_is_enabled() -> None:
    text = '<tool_call>{"name": "a"}</tool_call>'
    assert whole(text, ["mistral"]).content == text
