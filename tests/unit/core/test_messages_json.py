"""dump_messages / load_messages: every field round trips; bad data is a typed error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locus.core.errors import SerializationError
from locus.core.messages import ImagePart, Message, ToolCall, dump_messages, load_messages

_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_json = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_maybe_text = st.none() | st.text()
_calls = st.builds(
    ToolCall,
    id=st.text(),
    name=st.text(),
    arguments=st.dictionaries(st.text(), _json, max_size=4),
    raw_arguments=_maybe_text,
)
_images = st.builds(ImagePart, url=st.text(), detail=st.sampled_from(["auto", "low", "high"]))
_messages = st.builds(
    Message,
    role=st.sampled_from(["system", "user", "assistant", "tool"]),
    content=_maybe_text,
    tool_calls=st.lists(_calls, max_size=3),
    tool_call_id=_maybe_text,
    name=_maybe_text,
    reasoning=_maybe_text,
    images=st.lists(_images, max_size=3).map(tuple),
    is_error=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_messages, max_size=6))
def test_any_message_list_round_trips_equal(messages: list[Message]) -> None:
    data = dump_messages(messages)
    assert isinstance(data, bytes)
    assert load_messages(data) == messages
    assert load_messages(data.decode("utf-8")) == messages
    assert load_messages(memoryview(data)) == messages


def test_the_format_is_versioned_and_compact() -> None:
    msgs = [
        Message.user("hi", images=["https://x/y.png", ImagePart("data:,", detail="low")]),
        Message.assistant(None, [ToolCall("c1", "f", {"a": 1}, raw_arguments="{a:1}")]),
        Message.tool("42", "c1", "f", is_error=True),
    ]
    assert json.loads(dump_messages(msgs)) == {
        "v": 1,
        "messages": [
            {
                "role": "user",
                "content": "hi",
                "images": [{"url": "https://x/y.png"}, {"url": "data:,", "detail": "low"}],
            },
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "c1", "name": "f", "arguments": {"a": 1}, "raw_arguments": "{a:1}"}
                ],
            },
            {"role": "tool", "content": "42", "tool_call_id": "c1", "name": "f", "is_error": True},
        ],
    }


def test_empty_strings_are_kept_apart_from_none() -> None:
    msgs = [Message(role="assistant", content="", reasoning="", name="")]
    assert load_messages(dump_messages(msgs)) == msgs
    assert load_messages(dump_messages(msgs))[0].content == ""


def test_non_ascii_is_written_as_utf8() -> None:
    data = dump_messages([Message.user("日本語 🧵")])
    assert "日本語 🧵".encode() in data


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"when": object()}, "cannot be written as JSON"),
        ({"x": float("nan")}, "cannot be written as JSON"),
    ],
)
def test_arguments_that_json_cannot_hold(arguments: dict[str, Any], match: str) -> None:
    with pytest.raises(SerializationError, match=match):
        dump_messages([Message.assistant(None, [ToolCall("c", "f", arguments)])])


def test_a_non_message_is_refused() -> None:
    with pytest.raises(SerializationError, match=r"messages\[1\] is a dict, not a Message"):
        dump_messages([Message.user("a"), {"role": "user"}])  # type: ignore[list-item]


def test_a_lone_surrogate_is_written_as_an_escape_and_reads_back() -> None:
    # (a model's "\ud83d" escape decodes to one: a thread holding it must still be stored)
    messages = [
        Message.user("é \ud800"),
        Message.assistant(None, [ToolCall("c", "f", {"\udc80": 1})]),
    ]
    written = dump_messages(messages)
    assert written.isascii() and b"\\ud800" in written
    assert load_messages(written) == messages
    assert (
        dump_messages([Message.user("é")])
        == '{"v":1,"messages":[{"role":"user","content":"é"}]}'.encode()
    )


def _doc(*messages: Any, v: Any = 1) -> bytes:
    return json.dumps({"v": v, "messages": list(messages)}).encode()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8|not valid JSON"),
        (b"[1, 2]", "must be a JSON object .* got an array"),
        (_doc(v=2), "unknown message format version 2 .*reads v=1"),
        (b'{"messages": []}', "unknown message format version None"),
        (_doc(v=True), "unknown message format version True"),
        (b'{"v": 1, "messages": {}}', '"messages" must be a JSON array, got an object'),
        (b'{"v": 1, "messages": [], "extra": 1}', r"unknown top-level field\(s\) \['extra'\]"),
        (_doc(5), r"messages\[0\] must be a JSON object, got the number 5"),
        (_doc({"role": "robot"}), r"messages\[0\].role must be one of .* got 'robot'"),
        (_doc({"role": "user", "content": 3}), r"messages\[0\].content must be a string or null"),
        (
            _doc({"role": "user", "colour": "red"}),
            r"messages\[0\] has unknown field\(s\) \['colour'\]",
        ),
        (
            _doc({"role": "tool", "is_error": "yes"}),
            r"is_error must be true or false, got a string",
        ),
        (_doc({"role": "assistant", "tool_calls": {}}), r"tool_calls must be a JSON array"),
        (
            _doc({"role": "user"}, {"role": "assistant", "tool_calls": [{"id": 1, "name": "f"}]}),
            r"messages\[1\].tool_calls\[0\].id must be a string, got the number 1",
        ),
        (
            _doc({"role": "assistant", "tool_calls": [{"id": "c", "name": "f", "arguments": []}]}),
            r"tool_calls\[0\].arguments must be a JSON object, got an array",
        ),
        (
            _doc({"role": "user", "images": [{"url": "u", "detail": "max"}]}),
            r"images\[0\].detail must be one of \['auto', 'high', 'low'\], got 'max'",
        ),
        (_doc({"role": "user", "images": [{}]}), r"images\[0\].url must be a string, got null"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply|must be a JSON object"),
    ],
)
def test_bad_data_is_a_serialization_error(data: bytes, match: str) -> None:
    with pytest.raises(SerializationError, match=match):
        load_messages(data)


def test_wrong_input_type() -> None:
    with pytest.raises(SerializationError, match="must be bytes or str, got the number 3"):
        load_messages(3)  # type: ignore[arg-type]


def test_serialization_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        load_messages(b"")


def test_arguments_without_a_field_default_to_empty() -> None:
    (msg,) = load_messages(_doc({"role": "assistant", "tool_calls": [{"id": "c", "name": "f"}]}))
    assert msg.tool_calls == [ToolCall("c", "f", {})]
