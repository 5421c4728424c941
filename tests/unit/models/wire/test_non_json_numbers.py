"""Tool-call arguments holding ``NaN`` or an infinite number are kept raw, like invalid JSON.

Found by the fuzz harness's check that a decoded answer can be stored and sent back
(tests/fuzz/fuzz_wire.py): Python's JSON decoder accepts ``NaN``/``Infinity`` and reads
``1e999`` as infinity, so such arguments reached the tool, and then ``dump_messages``
(which writes strict JSON, as a thread store does) raised ``SerializationError`` for the
whole conversation. They are now refused where they are decoded: ``arguments={}`` and
the text in ``raw_arguments``, so the agent tells the model its arguments were not JSON.
"""

from __future__ import annotations

import pytest

from locus.core.messages import Message, ToolCall, dump_messages, load_messages
from locus.models._openai import decode_openai_chat
from locus.models._wire.arguments import parse_arguments
from locus.models._wire.assembler import ToolCallAssembler
from locus.models.providers.oci._formats import decode_chat_result

TEXTS = ['{"a": NaN}', '{"a": [1, Infinity]}', '{"a": {"b": -Infinity}}', '{"a": 1e999}']


@pytest.mark.parametrize("text", TEXTS)
def test_arguments_text_with_a_number_json_cannot_hold_is_kept_raw(text: str) -> None:
    assert parse_arguments(text) == ({}, text)
    body = {"choices": [{"message": {"tool_calls": [{"id": "c", "function": {
        "name": "f", "arguments": text}}]}}]}  # fmt: skip
    message = decode_openai_chat(body).message
    assert load_messages(dump_messages([message])) == [message]


@pytest.mark.parametrize("text", TEXTS)
def test_streamed_pieces_with_such_a_number_are_kept_raw(text: str) -> None:
    assembler = ToolCallAssembler()
    for n, piece in enumerate((text[:4], text[4:])):
        assembler.next_event()
        assembler.add(0, "c" if n == 0 else None, "f" if n == 0 else None, piece)
    assert [(c.arguments, c.raw_arguments) for c in assembler.calls()] == [({}, text)]


def test_cohere_parameters_object_with_nan_are_kept_raw() -> None:
    body = {"chatResponse": {"apiFormat": "COHERE", "toolCalls": [
        {"name": "f", "parameters": {"a": float("nan")}}]}}  # fmt: skip
    (call,) = decode_chat_result(body).tool_calls
    assert (call.arguments, call.raw_arguments) == ({}, '{"a": NaN}')
    dump_messages([Message.assistant(None, [call])])


def test_finite_numbers_are_kept() -> None:
    assert parse_arguments('{"a": 1.5e300, "b": -0.0}') == ({"a": 1.5e300, "b": -0.0}, None)
    dump_messages([Message.assistant(None, [ToolCall("c", "f", {"a": 1.5e300})])])
