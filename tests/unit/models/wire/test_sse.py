"""SSEDecoder: framing, fields, encodings and limits (WHATWG event-stream rules)."""

from __future__ import annotations

import pytest

from locus.core.errors import StreamError
from locus.models._wire.sse import ServerSentEvent, SSEDecoder, json_data, json_payload


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.close()


def datas(*chunks: bytes) -> list[str]:
    return [e.data for e in decode(*chunks)]


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_line_endings(eol: bytes) -> None:
    body = b"data: a" + eol + eol + b"data: b" + eol + eol
    assert datas(body) == ["a", "b"]


def test_cr_then_lf_in_the_next_chunk_is_one_line_end() -> None:
    assert datas(b"data: a\r", b"\n\r\ndata: b\r\n\r\n") == ["a", "b"]


def test_comments_unknown_fields_and_space_rules() -> None:
    body = b": keep-alive\npad: xyz\ndata:no-space\ndata:  two\n\n"
    assert datas(body) == ["no-space\n two"]


def test_multi_line_data_and_empty_data() -> None:
    assert datas(b"data: one\ndata\ndata: three\n\ndata:\n\n") == ["one\n\nthree", ""]


def test_blank_lines_without_data_dispatch_nothing() -> None:
    assert decode(b"\n\nevent: ping\n\n: c\n\n") == []


def test_event_id_and_retry() -> None:
    events = decode(b"event: delta\nid: 7\nretry: 1500\ndata: x\n\ndata: y\n\n")
    assert events[0] == ServerSentEvent("delta", "x", "7", 1500)
    assert events[1] == ServerSentEvent("message", "y", "7", 1500)


def test_bad_retry_and_id_with_nul_are_ignored() -> None:
    events = decode(b"retry: 1s\nid: a\x00b\ndata: x\n\n")
    assert events == [ServerSentEvent("message", "x", None, None)]


def test_leading_bom_is_dropped_once() -> None:
    assert datas(b"\xef\xbb\xbfdata: a\n\n") == ["a"]
    assert datas(b"\xef", b"\xbb", b"\xbfdata: a\n\n") == ["a"]
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\n") == []  # second BOM is a field name


def test_multibyte_utf8_split_at_every_offset() -> None:
    body = 'data: {"t": "Zürich — 東京 🚀"}\n\n'.encode()
    for cut in range(len(body) + 1):
        assert datas(body[:cut], body[cut:]) == ['{"t": "Zürich — 東京 🚀"}']


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert datas(b"data: \xff\xfe\n\n") == ["\ufffd\ufffd"]


def test_close_dispatches_an_unterminated_last_event() -> None:
    assert datas(b"data: a\n\ndata: b") == ["a", "b"]
    assert datas(b"data: a\n\ndata: b\n") == ["a", "b"]


def test_byte_by_byte_equals_whole() -> None:
    body = b": hi\r\ndata: 1\r\n\r\ndata: 2\rdata: 3\r\r: bye\n"
    assert datas(*[body[i : i + 1] for i in range(len(body))]) == datas(body) == ["1", "2\n3"]


def test_line_limit() -> None:
    decoder = SSEDecoder(max_line_size=10)
    with pytest.raises(StreamError, match="longer than 10"):
        decoder.feed(b"data: " + b"x" * 20)


def test_event_limit() -> None:
    decoder = SSEDecoder(max_event_size=10)
    with pytest.raises(StreamError, match="larger than 10"):
        decoder.feed(b"data: 123456\ndata: 123456\n")


def test_json_payload() -> None:
    assert json_payload(ServerSentEvent("message", '{"a": 1}', None, None)) == {"a": 1}
    assert json_payload(ServerSentEvent("message", "[DONE]", None, None)) is None
    assert json_payload(ServerSentEvent("message", "  ", None, None)) is None
    with pytest.raises(StreamError, match="not valid JSON"):
        json_payload(ServerSentEvent("message", '{"a": ', None, None))
    with pytest.raises(StreamError, match="JSON object"):
        json_payload(ServerSentEvent("message", "[1, 2]", None, None))


@pytest.mark.parametrize(
    "data",
    [
        '{"a": [1, 2.5, "\\u00e9", null, true]}',
        ' {"a": 1} ',
        '{"a": 1}\n',
        '{"a": 1} {"b": 2}',
        '{"a": 1',
        '{"a": NaN}',
        '{"a": 123456789012345678901234567890}',
        '{"a": 1, "a": 2}',
        '{"s": "\\ud800"}',
        '{"tab": "a\tb"}',
        "[1]",
        "[DONE]",
        "",
        "{}",
        "{" * 5000 + "}" * 5000,
    ],
)
def test_json_data_equals_json_payload(data: str) -> None:
    event = ServerSentEvent("message", data, None, None)
    try:
        expected: object = json_payload(event, endpoint="http://x")
    except StreamError as exc:
        expected = ("error", str(exc))
    try:
        got: object = json_data(data, endpoint="http://x")
    except StreamError as exc:
        got = ("error", str(exc))
    assert got == expected  # (NaN: json.decoder.NaN, one object, on both paths)
