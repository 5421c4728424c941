"""Property tests: any chunking equals whole parsing; text without markup is unchanged."""

from __future__ import annotations

import itertools
import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.unit.toolcalls.fixtures import FIXTURES
from tests.unit.toolcalls.helpers import streamed, whole

MARKUP = [
    "<tool_call>",
    "</tool_call>",
    "<tool_calling>",
    "</tool_calling>",
    "<think>",
    "</think>",
    "<|python_tag|>",
    "<|im_end|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "[TOOL_CALLS]",
    "[ARGS]",
    "<function=f>",
    "</function>",
    "<parameter=x>",
    "</parameter>",
]
PIECES = [
    *MARKUP,
    '{"name": "a", "arguments": {"x": 1}}',
    '{"name": "b", "parameters": {}}',
    "{",
    "}",
    "[",
    "]",
    '"',
    "\\",
    ";",
    ":",
    ",",
    "\n",
    "\r\n",
    " ",
    "<",
    ">",
    "|",
    "/",
    "=",
    "tool_call",
    "TOOL_CALLS",
    "think",
    "é",
    "中文",
    "😀",
    "null",
    "true",
    "42",
    "<arg_key>",
    "</arg_key>",
    "<arg_value>",
    "</arg_value>",
    "get_weather",
]
_MARKER_RE = re.compile("|".join(re.escape(m) for m in MARKUP[:11]))
FORMAT_SETS = st.sampled_from(
    [
        "auto",
        ["auto", "prefilled_think"],
        ["hermes", "qwen3_coder"],
        ["llama_json", "llama_python_tag"],
        ["mistral"],
        ["glm"],
        ["hermes", "glm"],
    ]
)

texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=40).map("".join)
plain_pieces = st.sampled_from([p for p in PIECES if p not in MARKUP and "name" not in p])
plain_pieces |= st.text(max_size=8)


def _split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(c, len(text)) for c in cuts})
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=400, deadline=None)
@given(text=texts, cuts=st.lists(st.integers(0, 400), max_size=30), formats=FORMAT_SETS)
def test_any_chunking_equals_whole(text: str, cuts: list[int], formats: object) -> None:
    assert streamed(_split(text, cuts), formats) == whole(text, formats)


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(sorted(FIXTURES)), cuts=st.lists(st.integers(0, 200), max_size=40))
def test_fixture_chunkings_equal_whole(name: str, cuts: list[int]) -> None:
    text = FIXTURES[name]
    assert streamed(_split(text, cuts)) == whole(text)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(plain_pieces, max_size=40), cuts=st.lists(st.integers(0, 300), max_size=20))
def test_plain_text_comes_out_unchanged(pieces: list[str], cuts: list[int]) -> None:
    text = "".join(pieces)
    assume(not _MARKER_RE.search(text))
    for parsed in (whole(text), streamed(_split(text, cuts))):
        assert (parsed.content, parsed.tool_calls, parsed.reasoning) == (text, [], None)
