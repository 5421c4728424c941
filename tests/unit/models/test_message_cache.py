"""Messages are encoded once per format, and a changed message is never sent stale."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from locus.core.messages import ImagePart, Message, ToolCall
from locus.core.params import GenerationParams
from locus.models._openai.encode import encode_openai_chat
from locus.models._wire import message_cache
from locus.models.providers.oci._formats.generic import encode_generic_request

Encoder = Callable[[Sequence[Message]], bytes]


def _generic(messages: Sequence[Message]) -> bytes:
    body = encode_generic_request(messages, [], GenerationParams(), False)
    return json.dumps(body, separators=(",", ":")).encode("ascii")


def _openai(messages: Sequence[Message]) -> bytes:
    body = encode_openai_chat(
        model="m", messages=messages, tools=[], params=GenerationParams(), stream=False
    )
    return json.dumps(body, separators=(",", ":")).encode("ascii")


def _fresh(encode: Encoder, messages: Sequence[Message]) -> bytes:
    message_cache.clear()
    return encode(messages)


def _history(n: int) -> list[Message]:
    out: list[Message] = [Message.system("be brief")]
    for i in range(n):
        call = ToolCall(f"c{i}", "add", {"a": i, "b": 1.5, "note": "é", "ok": True})
        bad = ToolCall(f"d{i}", "add", {}, raw_arguments="{not json")
        out += [
            Message.user(f"add {i}", images=["https://x.example/a.png"] if i == 1 else ()),
            Message.assistant(None, [call, bad], reasoning="thinking" if i == 2 else None),
            Message.tool(str(i + 1.5), f"c{i}", "add"),
            Message.tool("bad arguments", f"d{i}", "add", is_error=True),
            Message.assistant(f"it is {i + 1.5}"),
        ]
    return out


ENCODERS = pytest.mark.parametrize("encode", [_generic, _openai], ids=["generic", "openai"])


@ENCODERS
def test_encoding_twice_and_after_appending_matches_a_fresh_encoding(encode: Encoder) -> None:
    history = _history(5)
    fresh = _fresh(encode, history)
    assert encode(history) == fresh
    assert encode(history) == fresh
    history += [Message.user("and now?"), Message.assistant("done")]
    assert encode(history) == _fresh(encode, history)


@ENCODERS
def test_a_cached_message_is_encoded_once(encode: Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    history = _history(3)
    message_cache.clear()
    encode(history)
    calls: list[Message] = []
    real = message_cache.cached_wire

    def counting(message: Message, fmt: str, inner: Callable[[Message], Any]) -> Any:
        def wrapped(m: Message) -> Any:
            calls.append(m)
            return inner(m)

        return real(message, fmt, wrapped)

    target = (
        "locus.models._openai.encode"
        if encode is _openai
        else ("locus.models.providers.oci._formats.generic")
    )
    monkeypatch.setattr(f"{target}.cached_wire", counting)
    history.append(Message.user("one more"))
    encode(history)
    assert calls == [history[-1]], "only the new message is encoded"


def _mutations() -> list[Callable[[Message], None]]:
    def content(m: Message) -> None:
        m.content = "changed"

    def argument(m: Message) -> None:
        m.tool_calls[0].arguments["a"] = 99

    def argument_type(m: Message) -> None:
        m.tool_calls[0].arguments["a"] = m.tool_calls[0].arguments["a"] == 1  # 1 -> True

    def negative_zero(m: Message) -> None:
        m.tool_calls[0].arguments["b"] = -0.0 if m.tool_calls[0].arguments["b"] == 0.0 else 0.0

    def appended_call(m: Message) -> None:
        m.tool_calls.append(ToolCall("new", "add", {"a": 1}))

    def raw(m: Message) -> None:
        m.tool_calls[1].raw_arguments = "{other"

    def reasoning(m: Message) -> None:
        m.reasoning = "now reasoning"

    return [content, argument, argument_type, negative_zero, appended_call, raw, reasoning]


@ENCODERS
@pytest.mark.parametrize("mutate", _mutations(), ids=lambda f: f.__name__)
def test_a_mutated_message_is_not_served_stale(
    encode: Encoder, mutate: Callable[[Message], None]
) -> None:
    history = _history(3)
    history[2].tool_calls[0].arguments["a"] = 1
    history[2].tool_calls[0].arguments["b"] = 0.0
    before = encode(history)
    mutate(history[2])
    after = encode(history)
    if not (encode is _openai and mutate.__name__ == "reasoning"):  # not sent there
        assert after != before
    assert after == _fresh(encode, history)


@ENCODERS
def test_nested_arguments_changed_in_place_are_seen(encode: Encoder) -> None:
    call = ToolCall("c", "f", {"items": [1, 2]})
    history = [Message.user("q"), Message.assistant(None, [call])]
    encode(history)
    call.arguments["items"].append(3)
    assert b"3]" in encode(history)
    assert encode(history) == _fresh(encode, history)


@ENCODERS
def test_replaced_images_are_seen(encode: Encoder) -> None:
    message = Message.user("look", images=["https://x.example/a.png"])
    encode([message])
    message.images = (ImagePart("https://x.example/b.png", "high"),)
    assert b"b.png" in encode([message]) and b"a.png" not in encode([message])


def test_returned_message_dicts_are_copies() -> None:
    history = [Message.user("q")]
    body = encode_generic_request(history, [], GenerationParams(), False)
    body["messages"][0]["role"] = "SYSTEM"
    again = encode_generic_request(history, [], GenerationParams(), False)
    assert again["messages"][0]["role"] == "USER"


def test_an_entry_goes_with_its_message() -> None:
    message_cache.clear()
    history = [Message.user("q")]
    _generic(history)
    assert len(message_cache._ENTRIES) == 1
    del history[:]
    assert len(message_cache._ENTRIES) == 0
