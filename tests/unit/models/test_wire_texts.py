"""Bodies encoded for sending (``texts_only``) are the bytes of the dict encoding, and a
cached message keeps its text, not its dict; system messages share one encoding."""

from __future__ import annotations

import copy
import gc
import json
import pickle
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from locus.core.messages import Message, ToolCall
from locus.core.params import GenerationParams
from locus.models._openai.encode import encode_openai_chat
from locus.models._wire import message_cache
from locus.models._wire.message_cache import WireMessage, WireTexts, texts_only
from locus.models.http._body_json import dump_body
from locus.models.providers.oci._formats import generic
from locus.models.providers.oci._formats.cohere_v2 import encode_cohere_v2_request
from locus.models.providers.oci._formats.generic import encode_generic_request

from .test_message_cache import MUTATIONS, _history

Encode = Callable[[Sequence[Message]], dict[str, Any]]


def _generic(messages: Sequence[Message]) -> dict[str, Any]:
    return encode_generic_request(messages, [], GenerationParams(), False)


def _cohere_v2(messages: Sequence[Message]) -> dict[str, Any]:
    return encode_cohere_v2_request(messages, [], GenerationParams(), False)


def _openai(messages: Sequence[Message]) -> dict[str, Any]:
    return encode_openai_chat(
        model="m", messages=messages, tools=[], params=GenerationParams(), stream=False
    )


ENCODERS = pytest.mark.parametrize(
    "encode", [_generic, _cohere_v2, _openai], ids=["generic", "cohere_v2", "openai"]
)


def _sent(encode: Encode, messages: Sequence[Message]) -> bytes:
    """The body as a model sends it."""
    return dump_body(texts_only(encode, messages))


def _reference(encode: Encode, messages: Sequence[Message]) -> bytes:
    """The body as one ``json.dumps`` of a fresh dict encoding (another history's copy)."""
    fresh = copy.deepcopy(list(messages))  # (deep copies start without an entry)
    message_cache.clear()
    return json.dumps(encode(fresh), separators=(",", ":")).encode("ascii")


@ENCODERS
def test_sent_bodies_are_the_bytes_of_the_dict_encoding(encode: Encode) -> None:
    history = _history(4)
    reference = _reference(encode, history)
    assert _sent(encode, history) == reference  # fresh
    assert _sent(encode, history) == reference  # every message from its text
    json.dumps(encode(history))  # asked for as dicts in between: the same texts after
    assert _sent(encode, history) == reference
    history += [Message.user("and now?"), Message.assistant("done")]
    assert _sent(encode, history) == _reference(encode, history)


@ENCODERS
@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda f: f.__name__)
def test_a_mutated_message_is_not_sent_stale(
    encode: Encode, mutate: Callable[[Message], None]
) -> None:
    history = _history(3)
    history[2].tool_calls[0].arguments["a"] = 1
    history[2].tool_calls[0].arguments["b"] = 0.0
    _sent(encode, history)
    mutate(history[2])
    assert _sent(encode, history) == _reference(encode, history)


def test_a_changed_dict_does_not_change_what_is_sent() -> None:
    history = [Message.user("q"), Message.assistant("a")]
    before = _sent(_generic, history)
    _generic(history)["messages"][0]["role"] = "SYSTEM"  # a reader changes its copy
    assert _sent(_generic, history) == before
    assert _generic(history)["messages"][0]["role"] == "USER"


def test_nested_arguments_are_encoded_on_every_call() -> None:
    call = ToolCall("c", "f", {"items": [1, 2]})
    history = [Message.user("q"), Message.assistant(None, [call])]
    _sent(_generic, history)
    call.arguments["items"].append(3)
    assert b"3]" in _sent(_generic, history)
    assert not hasattr(history[1], "_encoded")


def test_a_sent_message_keeps_its_text_and_no_dict() -> None:
    message_cache.clear()  # (no system message's entry from another test)
    history = _history(2)
    body = texts_only(_generic, history)
    assert type(body["messages"]) is WireTexts
    assert all(type(text) is str for text in body["messages"])
    for message, text in zip(history, body["messages"], strict=True):
        entry = message._encoded
        assert entry.text is text and entry.wire is None
        held = gc.get_referents(entry)
        assert not any(isinstance(x, dict) and not isinstance(x, ToolCall) for x in held), held
    gc.collect()  # what is left is not tracked by the collector (but calls and images)
    plain = [m for m in history if not m.tool_calls and not m.images]
    held = [x for m in plain for x in gc.get_referents(m._encoded) if type(x) is not type]
    assert plain and not any(gc.is_tracked(x) for x in held)


def test_two_formats_are_both_kept_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    history = _history(2)
    reference = _reference(_generic, history)
    _sent(_generic, history), _sent(_openai, history)
    calls: list[Message] = []
    real = generic._message

    def counting(m: Message) -> Any:
        calls.append(m)
        return real(m)

    monkeypatch.setattr(generic, "_message", counting)
    assert _sent(_generic, history) == reference
    assert calls == []


def test_system_messages_of_equal_content_share_one_encoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message_cache.clear()
    calls: list[Message] = []
    real = generic._message

    def counting(m: Message) -> Any:
        calls.append(m)
        return real(m)

    monkeypatch.setattr(generic, "_message", counting)
    prompt = "You answer briefly."
    runs = [[Message.system(prompt), Message.user(f"q{i}")] for i in range(3)]
    bodies = [_sent(_generic, run) for run in runs]
    assert [m.role for m in calls] == ["system", "user", "user", "user"]  # the prompt once
    assert runs[0][0]._encoded is runs[1][0]._encoded is runs[2][0]._encoded
    for run, body in zip(runs, bodies, strict=True):
        assert body == _reference(_generic, run)


def test_a_shared_system_encoding_follows_its_message() -> None:
    first, second = Message.system("be brief"), Message.system("be brief")
    _sent(_generic, [first])
    wire = _generic([second])["messages"][0]
    assert isinstance(wire, WireMessage) and wire["content"][0]["text"] == "be brief"
    second.content = "be long"  # changed: its own encoding, the other keeps the shared one
    assert b"be long" in _sent(_generic, [second])
    assert b"be brief" in _sent(_generic, [first])
    named = Message.system("be brief")
    named.name = "ops"  # another content: not shared
    assert b'"name":"ops"' in _sent(_openai, [named])


def test_pickles_and_deep_copies_leave_the_entry_behind() -> None:
    message = Message.system("kept?")
    _sent(_generic, [message])
    for other in (copy.deepcopy(message), pickle.loads(pickle.dumps(message))):
        assert other == message and getattr(other, "_encoded", None) is None
    assert copy.copy(message)._encoded is message._encoded
