"""Streaming guarantees: text flows at once, only a possible opener is held, markup never
reaches a text delta, calls come out as soon as they are complete."""

from __future__ import annotations

from locus.core import ToolCall
from locus.toolcalls import ReasoningText, ToolCallStreamParser
from tests.unit.toolcalls.helpers import ids


def test_plain_text_flows_character_by_character() -> None:
    parser = ToolCallStreamParser()
    text = "Plain answer: 3 > 2, {y} and (z). 中文 " * 50
    assert all(parser.feed(char) == [char] for char in text)
    assert parser.close() == []


def test_a_lookalike_is_released_by_the_next_character() -> None:
    parser = ToolCallStreamParser()
    assert parser.feed("3 <") == ["3 "]
    assert parser.feed(" 4 [") == ["< 4 "]
    assert parser.feed("x") == ["[x"]


def test_only_a_possible_opener_suffix_is_held() -> None:
    parser = ToolCallStreamParser()
    assert parser.feed("Let me check <tool_ca") == ["Let me check "]
    assert parser.feed("t") == ["<tool_cat"]
    assert parser.feed(" [TOOL_C") == [" "]
    assert parser.feed("ALLS]") == []
    assert parser.feed(" [{") == []


def test_call_is_emitted_when_its_block_closes() -> None:
    parser = ToolCallStreamParser(id_factory=ids())
    assert parser.feed('Hi <tool_call>{"name": "add", "arguments": {"a": 1') == ["Hi "]
    assert parser.feed("}}</tool_cal") == []
    assert parser.feed("l> bye") == [ToolCall("call_0", "add", {"a": 1}), " bye"]


def test_items_of_one_feed_keep_their_order() -> None:
    parser = ToolCallStreamParser(id_factory=ids())
    items = parser.feed('<think>r</think>a<tool_call>{"name": "f"}</tool_call>b')
    assert items == [ReasoningText("r"), "a", ToolCall("call_0", "f", {}), "b"]


def test_markup_never_reaches_a_text_delta() -> None:
    text = (
        '<think>x</think>A<tool_call>{"name": "a"}</tool_call>B[TOOL_CALLS]b[ARGS]{}'
        'C<|python_tag|>{"name": "c"}<|eom_id|>'
    )
    parser = ToolCallStreamParser()
    texts = [i for ch in text for i in parser.feed(ch) if isinstance(i, str)]
    texts += [i for i in parser.close() if isinstance(i, str)]
    assert "".join(texts) == "ABC"


def test_empty_deltas_return_nothing() -> None:
    parser = ToolCallStreamParser()
    assert parser.feed("") == []
    assert parser.feed("<") == []
    assert parser.feed("") == []
    assert parser.close() == ["<"]


def test_problems_accumulate_and_are_a_copy() -> None:
    parser = ToolCallStreamParser()
    parser.feed("<tool_call>oops</tool_call>")
    first = parser.problems
    first.clear()
    parser.feed("[TOOL_CALLS]?")
    assert [p.format for p in parser.problems] == ["hermes", "mistral"]


def test_prose_mentioning_the_tag_is_released_at_the_next_character() -> None:
    parser = ToolCallStreamParser()
    assert parser.feed("Wrap calls in <tool_call>") == ["Wrap calls in "]
    assert parser.feed(" tags, then") == ["<tool_call> tags, then"]
    assert parser.feed(" </tool_call>.") == [" </tool_call>."]
    assert parser.close() == []
    assert [p.text for p in parser.problems] == ["<tool_call> "]
