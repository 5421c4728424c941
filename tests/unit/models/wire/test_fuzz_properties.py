"""The fuzz harnesses' checks of the wire decoders, as bounded properties.

``tests/fuzz`` runs them under a coverage-guided fuzzer for minutes; here hypothesis
draws the same inputs a hundred-odd times so the contract stays guarded in every run:
answers and event streams of every format with wrong types, missing members, odd
numbers and deep nesting give only our typed errors, and what is accepted can be stored
and sent back; a stream gives the same text and calls as the same answer whole; the SSE
decoder's fast paths give what its general rules give; argument pieces assemble to the
arguments of the whole.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz import fuzz_arguments, fuzz_sse, fuzz_stream_vs_whole, fuzz_wire
from tests.fuzz._hypothesis import DrawProvider
from tests.fuzz._json_gen import json_text

_SSE_PIECES = [b"data: ", b"data:", b"event: x", b"id: 1", b"retry: 5", b": c", b"\n", b"\r",
               b"\r\n", b"\xef\xbb\xbf", b"\xc3\xa9", b"\xe4\xb8", b"\xad", b"\xff", b"[DONE]",
               b'{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}]}',
               b'{"index":0,"message":{"role":"ASSISTANT","content":[{"type":"TEXT","text":"a"}]}}',
               b'{"index":0,"finishReason":"stop"}']  # fmt: skip
_bodies = st.lists(st.sampled_from(_SSE_PIECES) | st.binary(max_size=4), max_size=30).map(b"".join)
_ARGUMENT_PIECES = ['{"a": ', '"', "\\", '\\"', "}", "{", " ", "\n", "1", "[", "]", ",", "null"]
_arguments = st.lists(st.sampled_from(_ARGUMENT_PIECES) | st.text(max_size=3), max_size=20)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_answers_and_streams_of_every_format_raise_only_typed_errors(data: st.DataObject) -> None:
    fuzz_wire.check(DrawProvider(data))


@settings(max_examples=150, deadline=None)
@given(header=st.binary(min_size=3, max_size=3), body=_bodies)
def test_sse_fast_paths_give_the_general_rules_events(header: bytes, body: bytes) -> None:
    fuzz_sse.test_one_input(header + body)


@settings(max_examples=150, deadline=None)
@given(pieces=_arguments.map(lambda p: [x for x in p if x]))
def test_argument_pieces_scan_and_assemble_as_the_whole(pieces: list[str]) -> None:
    fuzz_arguments.check_text("".join(pieces), pieces)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_json_value_as_arguments_is_a_call(data: st.DataObject) -> None:
    fuzz_arguments.check_value(json_text(DrawProvider(data)))


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_a_stream_gives_the_text_and_calls_of_the_whole_answer(data: st.DataObject) -> None:
    fuzz_stream_vs_whole.check(DrawProvider(data))
