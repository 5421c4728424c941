"""Messages are encoded once per format, and a changed message is never sent stale."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from locus.core.messages import ImagePart, Message, ToolCall
from locus.core.params import GenerationParams
from locus.models._openai import encode as openai_encode
from locus.models._openai.encode import encode_openai_chat
from locus.models._wire import message_cache
from locus.models.providers.oci._formats import cohere_v2, generic
from locus.models.providers.oci._formats.cohere_v2 import encode_cohere_v2_request
from locus.models.providers.oci._formats.generic import encode_generic_request

Encoder = Callable[[Sequence[Message]], bytes]


def _generic(messages: Sequence[Message]) -> bytes:
    body = encode_generic_request(messages, [], GenerationParams(), False)
    return json.dumps(body, separators=(",", ":")).encode("ascii")


def _cohere_v2(messages: Sequence[Message]) -> bytes:
    body = encode_cohere_v2_request(messages, [], GenerationParams(), False)
    return json.dumps(body, separators=(",", ":")).encode("ascii")


def _openai(messages: Sequence[Message]) -> bytes:
    body = encode_openai_chat(
        model="m", messages=messages, tools=[], params=GenerationParams(), stream=False
    )
    return json.dumps(body, separators=(",", ":")).encode("ascii")


def _fresh(encode: Encoder, messages: Sequence[Message]) -> bytes:
    message_cache.clear(messages)
    return encode(messages)


def _encoder_of(encode: Encoder) -> tuple[Any, str]:
    """The module and name of the function that maps one message for ``encode``."""
    if encode is _openai:
        return openai_encode, "encode_openai_message"
    return (cohere_v2 if encode is _cohere_v2 else generic), "_message"


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


ENCODERS = pytest.mark.parametrize(
    "encode", [_generic, _cohere_v2, _openai], ids=["generic", "cohere_v2", "openai"]
)


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
    encode(history)
    module, name = _encoder_of(encode)
    real = getattr(module, name)
    calls: list[Message] = []

    def counting(m: Message) -> Any:
        calls.append(m)
        return real(m)

    monkeypatch.setattr(module, name, counting)
    history.append(Message.user("one more"))
    encode(history)
    assert calls == [history[-1]], "only the new message is encoded"
    history[3].content = "changed"
    encode(history)
    assert calls == [history[-1], history[3]], "then only the changed one"


# Changes to the assistant turn with two tool calls (``_history(3)[2]``).


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


def raw(m: Message) -> None:  # (goes back as {}, not as its arguments: seen as a change)
    m.tool_calls[0].raw_arguments = "{other"


def reasoning(m: Message) -> None:
    m.reasoning = "now reasoning"


def equal_call_replaced(m: Message) -> None:  # ToolCall(..., {"a": True}) == the old one
    old = m.tool_calls[0]
    m.tool_calls[0] = ToolCall(old.id, old.name, {**old.arguments, "a": True})


def equal_arguments_replaced(m: Message) -> None:  # {"a": 1.0, ...} == {"a": 1, ...}
    m.tool_calls[0].arguments = {**m.tool_calls[0].arguments, "a": 1.0}


def reordered_arguments(m: Message) -> None:
    m.tool_calls[0].arguments["a"] = m.tool_calls[0].arguments.pop("a")


def renamed_argument(m: Message) -> None:  # the same values in the same order
    m.tool_calls[0].arguments["renamed"] = m.tool_calls[0].arguments.pop("ok")


def removed_call(m: Message) -> None:
    m.tool_calls.pop()


def call_id(m: Message) -> None:
    m.tool_calls[0].id = "other"


def call_name(m: Message) -> None:
    m.tool_calls[0].name = "sub"


def cleared_calls(m: Message) -> None:
    m.tool_calls.clear()


MUTATIONS: list[Callable[[Message], None]] = [
    content,
    argument,
    argument_type,
    negative_zero,
    appended_call,
    raw,
    reasoning,
    equal_call_replaced,
    equal_arguments_replaced,
    reordered_arguments,
    renamed_argument,
    removed_call,
    call_id,
    call_name,
    cleared_calls,
]


@ENCODERS
@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda f: f.__name__)
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


def _other_mutations() -> list[tuple[int, Callable[[Message], None]]]:
    """Changes to messages without tool calls, by index into ``_history(3)``."""

    def user_name(m: Message) -> None:
        m.name = "bob"

    def answered_call(m: Message) -> None:
        m.tool_call_id = "d0"

    def call_added_to_a_text_turn(m: Message) -> None:
        m.tool_calls.append(ToolCall("late", "add", {"a": 1}))

    def role(m: Message) -> None:
        m.role = "system"

    return [(1, user_name), (3, answered_call), (5, call_added_to_a_text_turn), (1, role)]


@ENCODERS
@pytest.mark.parametrize(
    "index, mutate", _other_mutations(), ids=lambda x: getattr(x, "__name__", "")
)
def test_other_messages_changed_are_encoded_again(
    encode: Encoder, index: int, mutate: Callable[[Message], None]
) -> None:
    history = _history(3)
    before = encode(history)
    mutate(history[index])
    after = encode(history)
    if not (encode is _cohere_v2 and mutate.__name__ == "user_name"):  # not sent there
        assert after != before
    assert after == _fresh(encode, history)


@ENCODERS
def test_equal_replacements_are_served_from_the_cache(
    encode: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = _history(2)
    before = encode(history)
    history[2].tool_calls = list(history[2].tool_calls)  # a new list of the same calls
    history[1].content = "".join(["add ", "0"])  # an equal string, another object
    module, name = _encoder_of(encode)
    calls: list[Message] = []
    real = getattr(module, name)

    def counting(m: Message) -> Any:
        calls.append(m)
        return real(m)

    monkeypatch.setattr(module, name, counting)
    assert encode(history) == before
    assert calls == []


def test_the_entry_lives_in_the_message_and_copies_share_it() -> None:
    call = ToolCall("c", "add", {"a": 1})
    message = Message.assistant(None, [call])
    first = encode_generic_request([message], [], GenerationParams(), False)["messages"][0]
    assert message == Message.assistant(None, [ToolCall("c", "add", {"a": 1})])  # not a field
    assert "_encoded" not in repr(message)
    shallow = copy.copy(message)  # the same calls: the same wire form
    assert encode_generic_request([shallow], [], GenerationParams(), False)["messages"][0] is first
    shallow.tool_calls = [ToolCall("c", "add", {"a": 2})]  # the copy changed: its own
    assert b'\\"a\\": 2' in _generic([shallow]) and b'\\"a\\": 1' in _generic([message])
    for other in (copy.deepcopy(message), pickle.loads(pickle.dumps(message))):
        assert other == message
        wire = encode_generic_request([other], [], GenerationParams(), False)["messages"][0]
        assert wire == first and wire is not first  # encoded afresh: no entry came along


def test_messages_the_cache_cannot_watch_are_encoded_every_time() -> None:
    nested = Message.assistant(None, [ToolCall("c", "f", {"items": [1]})])
    keyed = Message.assistant(None, [ToolCall("c", "f", {1: "x"})])  # type: ignore[dict-item]
    for message in (nested, keyed):
        wires = [encode_generic_request([message], [], GenerationParams(), False) for _ in "ab"]
        assert wires[0]["messages"][0] is not wires[1]["messages"][0]
        assert not hasattr(message, "_encoded")


def test_one_message_in_two_formats_keeps_both(monkeypatch: pytest.MonkeyPatch) -> None:
    history = _history(2)
    generic_body, openai_body = _generic(history), _openai(history)
    calls: list[Message] = []
    for encode in (_generic, _openai):
        module, name = _encoder_of(encode)
        real = getattr(module, name)

        def counting(m: Message, real: Callable[[Message], Any] = real) -> Any:
            calls.append(m)
            return real(m)

        monkeypatch.setattr(module, name, counting)
    for _ in range(2):
        assert (_generic(history), _openai(history)) == (generic_body, openai_body)
    assert calls == []  # each format's wire form is kept
    monkeypatch.undo()
    history[2].tool_calls[0].arguments["a"] = 7  # changed: both encoded again
    assert (_generic(history), _openai(history)) == (
        _fresh(_generic, history),
        _fresh(_openai, history),
    )
    assert b'\\"a\\": 7' in _generic(history) and b'\\"a\\": 7' in _openai(history)
