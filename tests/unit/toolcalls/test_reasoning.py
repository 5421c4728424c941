"""``<think>`` reasoning, the bare ``</think>`` and the ``prefilled_think`` option."""

from __future__ import annotations

from locus.toolcalls import ReasoningText, ToolCallStreamParser
from tests.unit.toolcalls.helpers import calls, whole

QWQ = (
    'I should search.\n</think>\n\n<tool_call>\n{"name": "s", "arguments": '
    '{"q": "x"}}\n</tool_call>'
)


def test_think_block_goes_to_reasoning() -> None:
    parsed = whole("<think>\nstep 1\n</think>\n\nAnswer: 42")
    assert (parsed.reasoning, parsed.content) == ("\nstep 1\n", "\n\nAnswer: 42")


def test_no_or_empty_think_means_no_reasoning() -> None:
    assert whole("plain").reasoning is None
    assert whole("<think></think>x").reasoning is None


def test_reasoning_streams_as_reasoning_deltas_without_tags() -> None:
    parser = ToolCallStreamParser()
    assert parser.feed("<thi") == []
    assert parser.feed("nk>abc</th") == [ReasoningText("abc")]
    assert parser.feed("ink>hi") == ["hi"]
    assert parser.close() == []


def test_unclosed_think_is_all_reasoning() -> None:
    parsed = whole("<think>ran out of tokens")
    assert (parsed.reasoning, parsed.content, parsed.problems) == ("ran out of tokens", "", [])


def test_bare_close_in_auto_is_dropped_and_reported() -> None:
    parsed = whole(QWQ)
    assert parsed.reasoning is None
    assert parsed.content.startswith("I should search.\n")
    assert "</think>" not in parsed.content
    assert calls(parsed) == [("s", {"q": "x"})]
    assert [(p.text, p.format) for p in parsed.problems] == [("</think>", "think")]


def test_prefilled_think_makes_the_start_reasoning() -> None:
    parsed = whole(QWQ, ["auto", "prefilled_think"])
    assert (parsed.reasoning, parsed.content.strip(), parsed.problems) == (
        "I should search.\n",
        "",
        [],
    )
    assert calls(parsed) == [("s", {"q": "x"})]
    parser = ToolCallStreamParser(["hermes", "prefilled_think"])
    assert parser.feed("<think>abc") == [ReasoningText("abc")]
    assert parser.feed("</think>ok") == ["ok"]


def test_prefilled_think_without_a_close_is_all_reasoning() -> None:
    parsed = whole("no thinking after all", ["auto", "prefilled_think"])
    assert (parsed.reasoning, parsed.content) == ("no thinking after all", "")


def test_markup_inside_reasoning_is_not_parsed() -> None:
    parsed = whole('<think>maybe <tool_call>{"name": "a"}</tool_call></think>done')
    assert parsed.tool_calls == []
    assert parsed.reasoning == 'maybe <tool_call>{"name": "a"}</tool_call>'
