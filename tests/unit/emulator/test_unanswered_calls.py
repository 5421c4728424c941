"""The emulator refuses a conversation with a tool call that has no result, as OCI (and
OpenAI) do: 400 ``InvalidParameter`` naming the unanswered call ids, for GENERIC,
COHEREV2 and the OpenAI-compatible API (COHERE pairs results with calls by name)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from locus.emulator._errors import ApiError
from locus.emulator.wire._coherev2 import parse_coherev2
from locus.emulator.wire._generic import parse_generic
from locus.emulator.wire._openai import parse_openai


def generic(messages: list[dict[str, Any]]) -> Any:
    return parse_generic({"messages": messages}, "meta.llama")


def coherev2(messages: list[dict[str, Any]]) -> Any:
    return parse_coherev2({"messages": messages}, "cohere.command-a")


def openai(messages: list[dict[str, Any]]) -> Any:
    return parse_openai({"model": "xai.grok-4", "messages": messages})


def generic_turns(answered: list[str], then_user: bool) -> list[dict[str, Any]]:
    calls = [{"id": i, "type": "FUNCTION", "name": "pay", "arguments": "{}"} for i in ("c1", "c2")]
    turns: list[dict[str, Any]] = [
        {"role": "USER", "content": [{"type": "TEXT", "text": "pay"}]},
        {"role": "ASSISTANT", "content": None, "toolCalls": calls},
    ]
    turns += [
        {"role": "TOOL", "toolCallId": i, "content": [{"type": "TEXT", "text": "ok"}]}
        for i in answered
    ]
    if then_user:
        turns.append({"role": "USER", "content": [{"type": "TEXT", "text": "and?"}]})
    return turns


def coherev2_turns(answered: list[str], then_user: bool) -> list[dict[str, Any]]:
    calls = [
        {"id": i, "type": "FUNCTION", "function": {"name": "pay", "arguments": "{}"}}
        for i in ("c1", "c2")
    ]
    turns: list[dict[str, Any]] = [
        {"role": "USER", "content": [{"type": "TEXT", "text": "pay"}]},
        {"role": "ASSISTANT", "toolCalls": calls},
    ]
    turns += [
        {"role": "TOOL", "toolCallId": i, "content": [{"type": "TEXT", "text": "ok"}]}
        for i in answered
    ]
    if then_user:
        turns.append({"role": "USER", "content": [{"type": "TEXT", "text": "and?"}]})
    return turns


def openai_turns(answered: list[str], then_user: bool) -> list[dict[str, Any]]:
    calls = [
        {"id": i, "type": "function", "function": {"name": "pay", "arguments": "{}"}}
        for i in ("c1", "c2")
    ]
    turns: list[dict[str, Any]] = [
        {"role": "user", "content": "pay"},
        {"role": "assistant", "content": None, "tool_calls": calls},
    ]
    turns += [{"role": "tool", "tool_call_id": i, "content": "ok"} for i in answered]
    if then_user:
        turns.append({"role": "user", "content": "and?"})
    return turns


Parse = Callable[[list[dict[str, Any]]], Any]
Build = Callable[[list[str], bool], list[dict[str, Any]]]
FORMATS: Mapping[str, tuple[Parse, Build]] = {
    "generic": (generic, generic_turns),
    "coherev2": (coherev2, coherev2_turns),
    "openai": (openai, openai_turns),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("then_user", [True, False])
def test_a_call_without_its_result_is_refused(name: str, then_user: bool) -> None:
    parse, build = FORMATS[name]
    with pytest.raises(ApiError) as caught:
        parse(build(["c2"], then_user))
    error = caught.value
    assert (error.status, error.code) == (400, "InvalidParameter")
    assert "c1" in error.message and "c2" not in error.message.split("c1")[1]
    assert "tool" in error.message.lower()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_call_answered_in_any_order_is_accepted(name: str) -> None:
    parse, build = FORMATS[name]
    conversation = parse(build(["c2", "c1"], True))
    assert [t.role for t in conversation.turns][-3:] == ["tool", "tool", "user"]
