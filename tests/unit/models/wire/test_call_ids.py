"""The ids Locus gives tool calls that come without one are unique across turns, not
numbered per answer: an id names one call wherever calls are looked up by it (a durable
run's decisions: a numbered id let a later call run on an earlier call's approval)."""

from __future__ import annotations

import re

from locus.models._wire.assembler import ToolCallAssembler
from locus.models.providers.oci._formats import decode_chat_result
from locus.toolcalls import parse_tool_calls

GIVEN = re.compile(r"(cohere_)?call_[0-9a-f]{24}")
COHERE = {
    "apiFormat": "COHERE",
    "text": "",
    "toolCalls": [{"name": "pay", "parameters": {"amount": 1}}] * 2,
    "finishReason": "COMPLETE",
}


def test_cohere_calls_get_ids_of_their_own_in_every_answer() -> None:
    first, again = (decode_chat_result({"chatResponse": COHERE}) for _ in range(2))
    ids = [c.id for c in first.tool_calls] + [c.id for c in again.tool_calls]
    assert all(GIVEN.fullmatch(i) and i.startswith("cohere_call_") for i in ids)
    assert len(set(ids)) == 4


def test_streamed_calls_sent_without_an_id_get_ids_of_their_own() -> None:
    ids = []
    for _ in range(2):
        calls = ToolCallAssembler()
        calls.add(0, None, "pay", '{"amount": 1}')
        calls.add(1, None, "pay", '{"amount": 2}')
        ids += [c.id for c in calls.calls()]
    assert all(GIVEN.fullmatch(i) for i in ids) and len(set(ids)) == 4


def test_text_tool_calls_get_ids_of_their_own() -> None:
    block = '<tool_call>{"name": "pay", "arguments": {"amount": 1}}</tool_call>'
    ids = [c.id for _ in range(2) for c in parse_tool_calls(block * 2).tool_calls]
    assert all(GIVEN.fullmatch(i) for i in ids) and len(set(ids)) == 4
