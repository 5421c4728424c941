"""GLM (Z.ai GLM-4.5 and later) calls: ``<tool_call>name<arg_key>k</arg_key><arg_value>v
</arg_value></tool_call>``, as an imported GLM on a DAC writes them without a tool parser.

The layouts are those of the GLM-4.5 chat template (newlines after the name and each
pair) and GLM-4.7's (no newlines). Every text is also streamed in every two-piece split
and one character at a time, and must give what the whole text gives.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locus.core import ToolSpec
from locus.toolcalls import ParsedText, ToolCallStreamParser
from tests.unit.toolcalls.helpers import calls, streamed, whole

WEATHER = ToolSpec(
    "get_weather",
    parameters={
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer"},
            "metric": {"type": "boolean"},
            "hours": {"type": "array"},
        },
    },
)
NOW = ToolSpec("now", parameters={"type": "object", "properties": {}})
TOOLS = [WEATHER, NOW]

GLM45 = (
    "I will check.<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Beijing</arg_value>"
    "\n<arg_key>days</arg_key>\n<arg_value>3</arg_value>\n</tool_call>"
)
GLM47 = (
    "<tool_call>get_weather<arg_key>city</arg_key><arg_value>New York</arg_value>"
    "<arg_key>metric</arg_key><arg_value>false</arg_value>"
    "<arg_key>hours</arg_key><arg_value>[9, 12]</arg_value></tool_call>"
    "<tool_call>now</tool_call>"
)


def same_streamed(text: str, **kwargs: Any) -> ParsedText:
    """The whole parse, after checking every split of ``text`` gives it too."""
    expected = whole(text, tools=TOOLS, **kwargs)
    pieces = [[text[:i], text[i:]] for i in range(len(text) + 1)] + [list(text)]
    for chunks in pieces:
        got = streamed(chunks, tools=TOOLS, **kwargs)
        assert (got.content, calls(got)) == (expected.content, calls(expected)), chunks
        assert [p.reason for p in got.problems] == [p.reason for p in expected.problems]
    return expected


def test_glm45_layout_with_values_coerced_by_schema() -> None:
    parsed = same_streamed(GLM45)
    assert parsed.content == "I will check."
    assert calls(parsed) == [("get_weather", {"city": "Beijing", "days": 3})]
    assert parsed.problems == []


def test_glm47_layout_and_a_call_without_arguments() -> None:
    parsed = same_streamed(GLM47)
    assert calls(parsed) == [
        ("get_weather", {"city": "New York", "metric": False, "hours": [9, 12]}),
        ("now", {}),
    ]
    assert parsed.content == "" and parsed.problems == []


def test_a_string_value_is_kept_exactly() -> None:
    text = "<tool_call>get_weather<arg_key>city</arg_key><arg_value>  São\nPaulo </arg_value>"
    text += "</tool_call>"
    assert calls(same_streamed(text)) == [("get_weather", {"city": "  São\nPaulo "})]


def test_a_value_that_does_not_fit_its_type_is_kept_as_text() -> None:
    text = "<tool_call>get_weather<arg_key>days</arg_key><arg_value>three</arg_value></tool_call>"
    assert calls(same_streamed(text)) == [("get_weather", {"days": "three"})]


def test_only_the_glm_format_enabled_parses_it() -> None:
    parsed = same_streamed(GLM45, formats="glm")
    assert calls(parsed) == [("get_weather", {"city": "Beijing", "days": 3})]
    off = whole(GLM45, formats="hermes", tools=TOOLS)
    assert off.tool_calls == [] and off.content == GLM45  # kept as text, and reported
    assert [p.reason for p in off.problems] == [
        "<tool_call> not followed by a payload (a tool's name: GLM's format, 'glm', is off)"
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "<tool_call>get_weather<arg_key>city</arg_key>Paris</tool_call>",
            "unclosed <arg_key>/<arg_value> pair or text after it",
        ),
        (
            "<tool_call>get_weather<arg_key>city</arg_key><arg_value>a</arg_value>junk"
            "<arg_key>days</arg_key><arg_value>1</arg_value></tool_call>",
            "text outside <arg_key>/<arg_value> pairs",
        ),
        (
            "<tool_call>get_weather<arg_key> </arg_key><arg_value>a</arg_value></tool_call>",
            "an empty <arg_key>",
        ),
    ],
)
def test_a_malformed_call_to_an_offered_tool_is_a_call_without_arguments(
    text: str, reason: str
) -> None:
    """The model meant ``get_weather``: a call with the payload as ``raw_arguments`` (the
    agent tells the model its arguments could not be read), and the problem reported."""
    parsed = same_streamed(text)
    (call,) = parsed.tool_calls
    payload = text.removeprefix("<tool_call>").removesuffix("</tool_call>")
    assert (call.name, call.arguments, call.raw_arguments) == ("get_weather", {}, payload)
    assert parsed.content == ""
    assert [(p.format, p.reason) for p in parsed.problems] == [("glm", reason)]


def test_a_malformed_call_that_names_no_tool_stays_visible_text_and_is_reported() -> None:
    text = (
        "<tool_call>get_weather <b>x</b><arg_key>city</arg_key><arg_value>a</arg_value></tool_call>"
    )
    parsed = same_streamed(text)
    assert parsed.tool_calls == [] and parsed.content == text
    assert [(p.format, p.reason) for p in parsed.problems] == [
        ("glm", "not a tool's name before the first <arg_key>")
    ]


def test_words_after_the_tag_are_prose() -> None:
    text = "<tool_call>get weather<arg_key>city</arg_key><arg_value>a</arg_value></tool_call>"
    parsed = same_streamed(text)
    assert parsed.tool_calls == [] and parsed.content == text
    assert [(p.format, p.reason) for p in parsed.problems] == [
        ("hermes", "<tool_call> not followed by a payload")
    ]


def test_a_bare_word_is_a_call_only_when_it_names_an_offered_tool() -> None:
    parsed = same_streamed("<tool_call>oops</tool_call>")
    assert parsed.tool_calls == [] and parsed.content == "<tool_call>oops</tool_call>"
    assert [p.format for p in parsed.problems] == ["hermes"]  # malformed Hermes JSON
    without_tools = whole("<tool_call>now</tool_call>")
    assert without_tools.tool_calls == []


def test_prose_mentioning_the_tag_is_released_at_the_next_word() -> None:
    text = "Qwen writes <tool_call> is how calls start, then more."
    assert same_streamed(text).content == text
    got = streamed(["Qwen writes <tool_call> is", " how"], tools=TOOLS)
    assert got.content.startswith("Qwen writes <tool_call> is how")
    # the parser holds nothing once the word after the tag is known to be prose
    parser = ToolCallStreamParser("auto", tools=TOOLS)
    shown = "".join(i for i in parser.feed("See <tool_call> is h") if isinstance(i, str))
    assert shown == "See <tool_call> is h"


def test_an_unclosed_call_at_the_end_of_the_message_is_a_call() -> None:
    text = "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Oslo</arg_value>\n"
    assert calls(same_streamed(text)) == [("get_weather", {"city": "Oslo"})]
    assert calls(same_streamed("<tool_call>now")) == [("now", {})]


def test_reasoning_before_the_call() -> None:
    parsed = same_streamed("<think>Weather needs a city.</think>" + GLM45)
    assert parsed.reasoning == "Weather needs a city."
    assert calls(parsed) == [("get_weather", {"city": "Beijing", "days": 3})]


def test_hermes_and_qwen3_coder_blocks_are_unchanged_beside_glm() -> None:
    hermes = '<tool_call>\n{"name": "now", "arguments": {}}\n</tool_call>'
    coder = "<tool_call>\n<function=now>\n</function>\n</tool_call>"
    assert calls(same_streamed(hermes + coder + GLM47)) == [
        ("now", {}),
        ("now", {}),
        ("get_weather", {"city": "New York", "metric": False, "hours": [9, 12]}),
        ("now", {}),
    ]


_GLM_PIECES = [
    "<tool_call>",
    "</tool_call>",
    "<arg_key>",
    "</arg_key>",
    "<arg_value>",
    "</arg_value>",
    "get_weather",
    "now",
    "city",
    "days",
    "3",
    "[1]",
    "<think>",
    "</think>",
    '{"name": "now"}',
    " ",
    "\n",
    "<",
    "x y",
]


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(_GLM_PIECES) | st.text(max_size=3), max_size=25).map("".join),
    cuts=st.lists(st.integers(0, 200), max_size=12),
)
def test_any_chunking_of_glm_markup_equals_whole(text: str, cuts: list[int]) -> None:
    """With tools offered (bare names may be calls), any split parses as the whole text,
    and nothing is lost: refused markup stays in the visible text."""
    bounds = [0, *sorted({min(c, len(text)) for c in cuts}), len(text)]
    chunks = [text[a:b] for a, b in itertools.pairwise(bounds)]
    expected = whole(text, tools=TOOLS)
    got = streamed(chunks, tools=TOOLS)
    assert (got.content, calls(got), got.reasoning) == (
        expected.content,
        calls(expected),
        expected.reasoning,
    )


@pytest.mark.parametrize("rest", ["x" * 5000, " " * 5000 + "x", "<p>" * 2000])
def test_prose_after_the_tag_in_a_long_message_is_decided_alike(rest: str) -> None:
    """Found by fuzzing: the whole parse measured the name against the rest of the message
    (any long message made a GLM call prose), the stream against what it had so far."""
    text = "<tool_call>ris\n<function=g<|im_end|>" + rest
    expected = whole(text, tools=TOOLS)
    for chunks in ([text], list(text), [text[:20], text[20:]]):
        got = streamed(chunks, tools=TOOLS)
        assert (got.content, calls(got), got.problems) == (
            expected.content,
            calls(expected),
            expected.problems,
        )


def test_a_long_name_or_blanks_make_prose_in_any_split() -> None:
    for text in (
        "<tool_call>" + "a" * 300 + "<arg_key>k</arg_key>",
        "<tool_call>" + " " * 300 + "now",
    ):
        expected = whole(text + "</tool_call>", tools=TOOLS)
        assert expected.tool_calls == [] and expected.content == text + "</tool_call>"
        for chunks in (list(text + "</tool_call>"), [text[:100], text[100:] + "</tool_call>"]):
            assert streamed(chunks, tools=TOOLS).content == expected.content


def test_glm_stop_tokens_left_in_the_text_are_dropped() -> None:
    text = GLM45 + "<|observation|>"
    parsed = same_streamed(text)
    assert parsed.content == "I will check." and len(parsed.tool_calls) == 1
    assert same_streamed("Done.<|user|>").content == "Done."
    assert whole("Done.<|endoftext|>", formats="hermes").content == "Done.<|endoftext|>"
