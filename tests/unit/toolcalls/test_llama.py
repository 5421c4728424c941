"""Llama 3 JSON (a whole message that is a call) and ``<|python_tag|>``."""

from __future__ import annotations

from locus.core import ToolSpec
from locus.toolcalls import ToolCallStreamParser
from tests.unit.toolcalls.helpers import calls, whole

CALL_A = '{"name": "a", "parameters": {"q": 1}}'
CALL_B = '{"name": "b", "arguments": {}}'


def test_whole_message_call_and_separated_list() -> None:
    for sep in ("; ", ";", ";\n", "\n", " ; "):
        parsed = whole(CALL_A + sep + CALL_B)
        assert calls(parsed) == [("a", {"q": 1}), ("b", {})], repr(sep)
        assert parsed.content == ""


def test_array_of_calls_and_leading_whitespace() -> None:
    parsed = whole(f"\n  [{CALL_A}, {CALL_B}]")
    assert (parsed.content, calls(parsed)) == ("\n  ", [("a", {"q": 1}), ("b", {})])


def test_prose_after_the_calls_is_kept() -> None:
    parsed = whole(CALL_A + " I used {a} for this.")
    assert (calls(parsed), parsed.content) == ([("a", {"q": 1})], "I used {a} for this.")
    parsed = whole(CALL_A + '\n{"query": "x"}')
    assert (calls(parsed), parsed.content) == ([("a", {"q": 1})], '{"query": "x"}')


def test_json_that_is_not_a_call_is_content_without_a_problem() -> None:
    for text in ('{"answer": 42}', '{"name": "only"}', "[1, 2]", "{}", '{"parameters": {}}'):
        parsed = whole(text)
        assert (parsed.content, parsed.tool_calls, parsed.problems) == (text, [], []), text


def test_broken_call_json_is_content_and_reported() -> None:
    text = '{"name": "a", "parameters": {broken}'
    parsed = whole(text)
    assert (parsed.content, parsed.tool_calls) == (text, [])
    assert parsed.problems[0].format == "llama_json"


def test_json_after_prose_or_after_another_call_format_is_not_a_call() -> None:
    assert whole("Result: " + CALL_A).tool_calls == []
    parsed = whole('<tool_call>{"name": "x"}</tool_call>' + CALL_A)
    assert calls(parsed) == [("x", {})]
    assert parsed.content == CALL_A


def test_json_after_reasoning_still_counts_as_message_start() -> None:
    parsed = whole("<think>plan</think>\n\n" + CALL_A)
    assert (parsed.reasoning, parsed.content, calls(parsed)) == ("plan", "\n\n", [("a", {"q": 1})])


def test_with_tools_the_name_must_be_offered() -> None:
    tools = [ToolSpec("b")]
    parsed = whole(CALL_A, tools=tools)
    assert (parsed.content, parsed.tool_calls) == (CALL_A, [])
    assert "not one of the offered tools" in parsed.problems[0].reason
    assert calls(whole(CALL_B, tools=tools)) == [("b", {})]


def test_non_json_braces_are_released_at_once() -> None:
    parser = ToolCallStreamParser()
    assert parser.feed("{") == []
    assert parser.feed(" hello} there") == ["{ hello} there"]


def test_candidate_is_held_until_it_is_decided() -> None:
    parser = ToolCallStreamParser()
    assert parser.feed('{"answer": ') == []
    assert parser.feed("42} ok") == ['{"answer": 42} ok']


def test_python_tag_calls_and_end_tokens() -> None:
    parsed = whole(
        'Let me check. <|python_tag|>{"name": "a", "arguments": {"x": 1}};' + CALL_B + "<|eom_id|>"
    )
    assert (parsed.content, calls(parsed)) == ("Let me check. ", [("a", {"x": 1}), ("b", {})])
    assert whole("done<|eot_id|>").content == "done"


def test_python_tag_without_json_is_text_and_reported() -> None:
    text = '<|python_tag|>brave_search.call(query="x")'
    parsed = whole(text)
    assert (parsed.content, parsed.tool_calls) == (text, [])
    assert parsed.problems[0].format == "llama_python_tag"
    unfinished = whole('<|python_tag|>{"name": "a", "argu')
    assert unfinished.content == '<|python_tag|>{"name": "a", "argu'
    assert "incomplete" in unfinished.problems[0].reason


def test_llama_json_off_leaves_json_alone() -> None:
    assert whole(CALL_A, ["hermes"]).content == CALL_A
