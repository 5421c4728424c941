"""A streamed argument piece made only of spaces is part of the arguments.

Found by coverage-guided fuzzing (tests/fuzz/fuzz_arguments.py): the assembler dropped
every fragment that was only whitespace, as if it were an empty re-announcement, so a
string value lost its spaces (``"if x:\\n    return 1"`` came out ``"if x:\\nreturn 1"``)
whenever a server sent the indentation as a token of its own.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from locus.models._openai import OpenAIStreamDecoder
from locus.models._wire.arguments import parse_arguments
from locus.models._wire.assembler import ToolCallAssembler
from locus.models.providers.oci._formats import ChatStreamDecoder

PIECES = ['{"code": "if x:\\n', "    ", "return 1", " ", '"}']
WANT = {"code": "if x:\n    return 1 "}


def test_openai_stream_keeps_an_argument_piece_of_spaces() -> None:
    decoder = OpenAIStreamDecoder()
    for n, piece in enumerate(PIECES):
        fragment: dict[str, Any] = {"index": 0, "function": {"arguments": piece}}
        if n == 0:
            fragment.update(id="c1", type="function", function={"name": "run", "arguments": piece})
        decoder.feed({"choices": [{"index": 0, "delta": {"tool_calls": [fragment]}}]})
    decoder.feed({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
    assert [c.arguments for c in decoder.close().tool_calls] == [WANT]


def test_oci_generic_stream_keeps_an_argument_piece_of_spaces() -> None:
    decoder = ChatStreamDecoder("GENERIC")
    for n, piece in enumerate(PIECES):
        call: dict[str, Any] = {"type": "FUNCTION", "arguments": piece}
        if n == 0:
            call.update(id="c1", name="run")
        decoder.feed({"index": 0, "message": {"role": "ASSISTANT", "toolCalls": [call]}})
    decoder.feed({"index": 0, "finishReason": "tool_calls"})
    assert [c.arguments for c in decoder.close().tool_calls] == [WANT]


def test_a_whole_call_announced_again_with_spaces_stays_one_call() -> None:
    assembler = ToolCallAssembler()
    for arguments in ('{"a": 1}', "  ", ""):
        assembler.next_event()
        assembler.add(0, "c1", "f", arguments)
    assert [(c.id, c.arguments) for c in assembler.calls()] == [("c1", {"a": 1})]


@settings(max_examples=150, deadline=None)
@given(
    value=st.dictionaries(st.text(' \n\tab"\\{}', max_size=4), st.text(' \tx"{', max_size=6)),
    cuts=st.lists(st.integers(0, 80), max_size=12),
)
def test_pieces_of_any_split_give_the_arguments_of_the_whole(
    value: dict[str, str], cuts: list[int]
) -> None:
    text = json.dumps(value, indent=1)
    bounds = [0, *sorted(c for c in cuts if c < len(text)), len(text)]
    assembler = ToolCallAssembler()
    for n, (start, end) in enumerate(itertools.pairwise(bounds)):
        assembler.next_event()
        assembler.add(0, None, None if n else "f", text[start:end])
    calls = assembler.calls()
    assert [(c.arguments, c.raw_arguments) for c in calls] == [parse_arguments(text)]
