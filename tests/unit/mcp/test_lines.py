"""The codec that bounds a stdio server's messages (``locus.mcp._lines``): whole lines only,
UTF-8 whatever the chunks, and a line over the limit dropped, answered by an error when its
request id can be seen."""

from __future__ import annotations

import codecs
import json

from locus.mcp._lines import TOO_LARGE, encoding, reporter


class Sink:
    def __init__(self) -> None:
        self.oversized: list[int] = []
        self.closed = False

    def on_oversized(self, limit: int) -> None:
        self.oversized.append(limit)

    def on_stdout_closed(self) -> None:
        self.closed = True


def decoder(limit: int) -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder(encoding(limit))(errors="strict")


def feed(limit: int, data: bytes, chunk: int) -> str:
    d = decoder(limit)
    return "".join(d.decode(data[i : i + chunk]) for i in range(0, len(data), chunk))


def test_only_whole_lines_pass_and_utf8_survives_any_split() -> None:
    data = '{"a": "météo 天気 🔥"}\n{"b": 2}\n'.encode()
    for chunk in (1, 2, 3, 5, len(data)):
        d = decoder(1000)
        seen = [d.decode(data[i : i + chunk]) for i in range(0, len(data), chunk)]
        assert "".join(seen) == data.decode()
        assert all(piece == "" or piece.endswith("\n") for piece in seen)


def test_bytes_that_are_no_utf8_become_replacement_characters() -> None:
    assert feed(100, b'{"a": "\xff\xfe"}\n', 4) == '{"a": "\ufffd\ufffd"}\n'


def test_the_codec_encodes_as_utf8() -> None:
    assert "météo\n".encode(encoding(10)) == "météo\n".encode()


def _answer(request_id: object, size: int, *, id_last: bool = False) -> bytes:
    result = {"content": [{"type": "text", "text": "x" * size}]}
    if id_last:
        message = {"result": result, "jsonrpc": "2.0", "id": request_id}
    else:
        message = {"jsonrpc": "2.0", "id": request_id, "result": result}
    return json.dumps(message).encode() + b"\n"


def test_an_answer_over_the_limit_becomes_an_error_answer_to_its_request() -> None:
    for request_id, id_last in ((7, False), ("req-7", False), (7, True), ('a"b', True)):
        sink = Sink()
        token = reporter.set(sink)
        try:
            data = _answer(request_id, 5000, id_last=id_last)
            out = feed(1000, data + b'{"jsonrpc": "2.0", "id": 8, "result": {}}\n', 333)
        finally:
            reporter.reset(token)
        first, second, end = out.split("\n")
        error = json.loads(first)
        assert error["id"] == request_id and error["error"]["code"] == TOO_LARGE
        assert error["error"]["data"] == {"size": len(data) - 1, "limit": 1000}
        assert json.loads(second)["id"] == 8 and end == ""
        assert sink.oversized == [1000] and not sink.closed  # once, when it went over


def test_a_server_message_over_the_limit_is_dropped_without_an_answer() -> None:
    note = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"d": "x" * 5000}}
    request = {"jsonrpc": "2.0", "id": 3, "method": "sampling/createMessage", "params": note}
    for message in (note, request):
        out = feed(1000, json.dumps(message).encode() + b"\n" + b'{"id": 1}\n', 100)
        assert out == '{"id": 1}\n'


def test_an_id_hidden_in_the_middle_is_not_guessed() -> None:
    data = b'{"result": {"id": 5, "text": "' + b"x" * 5000 + b'"}, "jsonrpc": "2.0"}\n'
    assert feed(1000, data, 64) == ""


def test_a_line_of_exactly_the_limit_passes() -> None:
    line = b'["' + b"x" * 96 + b'"]'
    assert feed(100, line + b"\n", 7) == line.decode() + "\n"
    assert feed(99, line + b"\n", 7) == ""


def test_the_end_of_the_stream_is_reported() -> None:
    sink = Sink()
    token = reporter.set(sink)
    try:
        d = decoder(100)
        assert d.decode(b'{"a": 1}\n{"b"') == '{"a": 1}\n' and not sink.closed
        assert d.decode(b"", final=True) == '{"b"' and sink.closed
    finally:
        reporter.reset(token)


def test_lines_that_are_no_json_rpc_are_left_out() -> None:
    data = b'Starting the server...\n\n  \n{"a": 1}\n  [1]\n'
    assert feed(100, data, 5) == '{"a": 1}\n  [1]\n'
