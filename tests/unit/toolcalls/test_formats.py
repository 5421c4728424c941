"""locus.toolcalls: format names and options, reasoning pieces, call ids."""

from __future__ import annotations

import re

import pytest

from locus.core import ConfigurationError
from locus.toolcalls import (
    TOOL_CALL_FORMATS,
    ReasoningText,
    ToolCallStreamParser,
    parse_tool_calls,
)
from locus.toolcalls._formats import resolve_formats


def test_format_names() -> None:
    assert TOOL_CALL_FORMATS == (
        "hermes",
        "qwen3_coder",
        "llama_json",
        "llama_python_tag",
        "mistral",
        "glm",
    )


def test_auto_is_every_format_and_lists_combine() -> None:
    assert resolve_formats("auto") == frozenset(TOOL_CALL_FORMATS)
    assert resolve_formats(["auto", "prefilled_think"]) == frozenset(
        {*TOOL_CALL_FORMATS, "prefilled_think"}
    )
    assert resolve_formats(("hermes", "mistral")) == frozenset({"hermes", "mistral"})
    assert resolve_formats(None) is None


def test_unknown_format_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown tool-call format 'hermez'"):
        parse_tool_calls("x", ["hermez"])


def test_reasoning_delta_is_not_a_string() -> None:
    delta = ReasoningText("why")
    assert not isinstance(delta, str)
    assert delta.text == "why"
    with pytest.raises(AttributeError):
        delta.text = "other"  # type: ignore[misc]


def test_default_ids_are_call_and_24_hex() -> None:
    parsed = parse_tool_calls(
        '<tool_call>{"name": "a"}</tool_call><tool_call>{"name": "a"}</tool_call>'
    )
    first, second = (c.id for c in parsed.tool_calls)
    assert re.fullmatch(r"call_[0-9a-f]{24}", first)
    assert first != second


def test_id_factory_is_called_once_per_call_in_order() -> None:
    made = iter(["x1", "x2"])
    text = '<tool_call>{"name": "a"}</tool_call> and <tool_call>{"name": "b"}</tool_call>'
    parsed = parse_tool_calls(text, id_factory=lambda: next(made))
    assert [(c.id, c.name) for c in parsed.tool_calls] == [("x1", "a"), ("x2", "b")]


def test_formats_none_passes_everything_through() -> None:
    text = '<think>r</think><tool_call>{"name": "a"}</tool_call>'
    parsed = parse_tool_calls(text, None)
    assert (parsed.content, parsed.tool_calls, parsed.reasoning, parsed.problems) == (
        text,
        [],
        None,
        [],
    )
    parser = ToolCallStreamParser(None)
    assert parser.feed("<think>") == ["<think>"]
    assert parser.feed("") == []
    assert parser.close() == []


def test_feed_after_close_is_misuse_and_close_twice_is_empty() -> None:
    parser = ToolCallStreamParser()
    assert parser.feed("abc <") == ["abc "]
    assert parser.close() == ["<"]
    assert parser.close() == []
    with pytest.raises(ConfigurationError):
        parser.feed("more")
