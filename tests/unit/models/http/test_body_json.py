"""Request bodies joined from each message's cached JSON text are the bytes of one
whole ``json.dumps``, and a wire message changed after encoding is never sent stale."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from typing import Any

import pytest

from locus.core.messages import Message, ToolCall
from locus.core.params import GenerationParams
from locus.core.toolspec import ToolSpec
from locus.models._openai.encode import encode_openai_chat
from locus.models._wire.message_cache import WireMessage, cached_wire
from locus.models.http._body_json import dump_body
from locus.models.providers.oci._formats.cohere_v2 import encode_cohere_v2_request
from locus.models.providers.oci._formats.generic import encode_generic_request


def _whole(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("ascii")


def _history() -> list[Message]:
    call = ToolCall("c1", "add", {"a": 1, "b": -0.0, "note": "é\ud800 \u2028"})
    nested = ToolCall("c2", "add", {"items": [1, {"x": 2}]})  # never cached
    padding = [Message.user(f"q{i}") for i in range(20)]  # enough to be joined
    return [
        *padding,
        Message.system("be brief"),
        Message.user('add 1 and 2 — "quoted" \\ and </script>'),
        Message.assistant(None, [call, nested]),
        Message.tool("1.0", "c1", "add"),
        Message.tool("bad", "c2", "add", is_error=True),
        Message.assistant("it is 1"),
    ]


def _cached(message: Message, encode: Callable[[Message], dict[str, Any]]) -> WireMessage:
    wire = cached_wire(message, "t", encode)
    assert isinstance(wire, WireMessage)
    return wire


SPEC = ToolSpec("add", "Add two numbers.", {"type": "object", "properties": {}})


def _generic(messages: list[Message], **extra: Any) -> dict[str, Any]:
    params = GenerationParams(stop=("x",), extra=extra)
    return {
        "compartmentId": "ocid1.compartment.oc1..x",
        "servingMode": {"servingType": "DEDICATED", "endpointId": "e"},
        "chatRequest": encode_generic_request(messages, [SPEC], params, True),
    }


def _cohere_v2(messages: list[Message]) -> dict[str, Any]:
    params = GenerationParams(stop=("x",))
    return {
        "compartmentId": "ocid1.compartment.oc1..x",
        "servingMode": {"servingType": "ON_DEMAND", "modelId": "cohere.command-a-03-2025"},
        "chatRequest": encode_cohere_v2_request(messages, [SPEC], params, True),
    }


def _openai(messages: list[Message]) -> dict[str, Any]:
    return encode_openai_chat(
        model="m", messages=messages, tools=[SPEC], params=GenerationParams(), stream=True
    )


@pytest.mark.parametrize(
    "encode", [_generic, _cohere_v2, _openai], ids=["generic", "cohere_v2", "openai"]
)
def test_joined_body_is_byte_identical_to_a_whole_dump(encode: Any) -> None:
    history = _history()
    for _ in range(2):  # a fresh encoding, then every message from the cache
        body = encode(history)
        assert dump_body(body) == _whole(body)
    messages = body["chatRequest"]["messages"] if "chatRequest" in body else body["messages"]
    kinds = [type(m) for m in messages]
    assert kinds.count(dict) == 1  # the assistant turn with nested arguments
    assert kinds.count(WireMessage) == len(history) - 1
    history[-1].content = "changed"  # grown and changed: still the same bytes
    history.append(Message.user("more"))
    body = encode(history)
    assert dump_body(body) == _whole(body)


def test_a_cached_message_is_sent_from_its_text() -> None:
    message = Message.user("hello")
    wire = _cached(message, lambda m: {"role": "USER", "content": m.content})
    assert wire.text == '{"role":"USER","content":"hello"}'
    wire.text = '{"role":"USER","content":"from the text"}'  # the text is what is sent
    body = {"messages": [wire] * 20}
    assert dump_body(body) == b'{"messages":[' + b",".join([wire.text.encode()] * 20) + b"]}"


@pytest.mark.parametrize(
    "change",
    [
        lambda w: w.__setitem__("content", "changed"),
        lambda w: w.update(content="changed"),
        lambda w: w.__ior__({"content": "changed"}),
        lambda w: w.setdefault("extra", "changed"),
        lambda w: w.pop("content"),
        lambda w: w.__delitem__("content"),
        lambda w: w.popitem(),
        lambda w: w.clear(),
    ],
    ids=["setitem", "update", "ior", "setdefault", "pop", "delitem", "popitem", "clear"],
)
def test_a_changed_wire_message_is_dumped_as_it_is_now_and_encoded_again(change: Any) -> None:
    message = Message.user("hello")
    calls: list[Message] = []

    def encode(m: Message) -> dict[str, Any]:
        calls.append(m)
        return {"role": "USER", "content": m.content}

    wire = _cached(message, encode)
    change(wire)
    assert wire.text is None
    assert dump_body({"messages": [wire]}) == _whole({"messages": [wire]})
    again = _cached(message, encode)
    assert len(calls) == 2
    assert dict(again) == {"role": "USER", "content": "hello"}
    assert again.text == '{"role":"USER","content":"hello"}'


def test_a_changed_message_gets_a_new_text() -> None:
    message = Message.user("hello")
    first = _cached(message, lambda m: {"content": m.content})
    message.content = "bye"
    second = _cached(message, lambda m: {"content": m.content})
    assert (first.text, second.text) == ('{"content":"hello"}', '{"content":"bye"}')


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"a": [], "b": {}, "c": None, "d": [1.5, 1e308, -0.0], "e": "\ud83d"},
        {1: "int key", "x": {2: [3]}},
        {"deep": {"a": {"b": {"c": {"d": {"e": [1]}}}}}},
        {"list": [[{"x": 1}], {"y": [2]}]},
    ],
    ids=["empty", "scalars", "int-keys", "deep", "nested-lists"],
)
def test_bodies_without_messages_dump_as_json_dumps(body: dict[Any, Any]) -> None:
    assert dump_body(body) == _whole(body)


def test_messages_mixed_with_plain_items_and_nested_deeper() -> None:
    wire = _cached(Message.user("x"), lambda m: {"content": m.content})
    wires = [wire] * 20  # enough to be joined rather than dumped whole
    body = {"a": {"b": {"messages": [{"plain": 1}, *wires, "text", [wire]]}}}
    assert dump_body(body) == _whole(body)


def test_any_number_of_messages_and_tools_are_joined_from_their_texts() -> None:
    wire = _cached(Message.user("x"), lambda m: {"content": m.content})
    wire.text = '{"content":"the text"}'  # (text and dict disagree: shows which is used)
    assert dump_body({"messages": [wire]}) == b'{"messages":[{"content":"the text"}]}'
    body = _generic([Message.user("hi")])
    tool = body["chatRequest"]["tools"][0]
    assert type(tool) is WireMessage and tool.text is not None
    tool.text = tool.text.replace("Add two", "Sum two")
    assert b'"description":"Sum two numbers."' in dump_body(body)


class _Level(enum.IntEnum):
    ONE = 1


class _Tag(str):
    pass


_ODD_VALUES: list[Any] = [
    0.0,
    -0.0,
    1e300,
    5e-324,
    1.0000000000000002,
    10**30,
    -(10**30),
    True,
    False,
    None,
    1,
    _Level.ONE,
    _Tag("tagged \ud800"),
    (1, "tuple"),
    {"k": (2,)},
    {1.5: "float key", None: "none key", True: "bool key"},
    [[[[["deep"]]]]],
    '\u2028\x00\x1f"\\/ é 😀',
]


@pytest.mark.parametrize("value", _ODD_VALUES, ids=repr)
def test_every_kind_of_value_dumps_as_json_dumps_at_every_depth(value: Any) -> None:
    wire = _cached(Message.user("x"), lambda m: {"content": m.content})
    for body in (
        {"v": value},
        {"a": {"v": value, "w": [value, wire]}},
        {"a": {"b": [wire, {"v": [value]}, value]}},
        {"a": {"b": {"c": {"d": value}}}},
    ):
        assert dump_body(body) == _whole(body)


def test_errors_are_json_s_own() -> None:
    loop: dict[str, Any] = {"a": {}}
    loop["a"]["b"] = [loop]
    bad_key: dict[Any, Any] = {"a": {(1, 2): "tuple key"}}
    for body, error in (
        ({"a": {"b": [object()]}}, TypeError),
        (bad_key, TypeError),
        (loop, ValueError),
    ):
        with pytest.raises(error) as ours:
            dump_body(body)
        with pytest.raises(error) as theirs:
            _whole(body)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=repr)
def test_numbers_json_cannot_spell_are_refused_at_every_depth(value: float) -> None:
    """``json.dumps`` would write ``NaN``/``Infinity``: not JSON, and the service answers
    such a body with HTTP 400. The body and the cached messages refuse them instead."""
    wire = _cached(Message.user("x"), lambda m: {"content": m.content})
    for body in (
        {"v": value},
        {"a": {"v": value, "w": [wire]}},
        {"a": {"b": [wire, {"v": [value]}]}},
        {"a": {"b": {"c": {"d": [value]}}}},
    ):
        with pytest.raises(ValueError, match="not JSON compliant"):
            dump_body(body)
    with pytest.raises(ValueError, match="not JSON compliant"):
        _cached(Message.user("x"), lambda m: {"content": value})
