"""Fuzz tool-call arguments: their decoding, and their assembly from streamed pieces.

Input: bytes 0-1 seed the chunk splits, byte 2 picks what the rest is: raw text (the
``arguments`` string a server sent; UTF-8, undecodable bytes as lone surrogates) or a
generated JSON value (its parsed form, as an ``arguments`` that is not a string).

Judged by: ``parse_arguments`` / ``tool_call`` never raise and keep the text of what is
not a JSON object; ``fragment_text`` raises only ``ShapeError``; ``ObjectScan`` fed the
text in pieces says "whole" exactly when the joined text is one JSON object, with that
value; ``is_json_object`` agrees; and ``ToolCallAssembler`` makes one call of the pieces,
with the arguments ``parse_arguments`` gives the joined text.

Run: ``.venv/bin/python -m tests.fuzz.fuzz_arguments -dict=tests/fuzz/json.dict
-max_total_time=600 <corpus dir>``.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from locus.core._json_values import argument_problem
from locus.models._wire.arguments import fragment_text, is_json_object, parse_arguments, tool_call
from locus.models._wire.assembler import ToolCallAssembler
from locus.models._wire.json_text import ServerJSONError, loads_server_json
from locus.models._wire.object_scan import ObjectScan, parse_object
from locus.models._wire.shape import ShapeError
from tests.fuzz._json_gen import json_text
from tests.fuzz._support import chunks, fuzz, provider

_DECODER = json.JSONDecoder()


def check_text(text: str, pieces: list[str]) -> None:
    arguments, raw = parse_arguments(text)
    assert isinstance(arguments, dict)
    assert raw is None or (raw == text and arguments == {}), (text, raw)
    value = parse_object(text)
    assert is_json_object(text) == (value is not None), text
    scan = ObjectScan()
    for n, piece in enumerate(pieces):
        if scan.take(piece):
            scan.settle("".join(pieces[: n + 1]))
    assert scan.whole == (value is not None), (pieces, value)
    assert not scan.whole or scan.value == value, (pieces, scan.value, value)
    check_assembly(text, pieces, arguments, raw)


def check_assembly(
    text: str, pieces: list[str], arguments: dict[str, Any], raw: str | None
) -> None:
    assembler = ToolCallAssembler()
    for n, piece in enumerate(pieces):  # (the name comes with the first piece, as usual)
        assembler.next_event()
        assembler.add(0, None, None if n else "f", piece)
    calls = assembler.calls()
    if not text.strip():
        assert len(calls) <= 1 and all(c.arguments == {} for c in calls), calls
        return
    if _object_then_more(text):
        return  # (by design another call: docs/reliability.md "Streamed tool calls")
    assert len(calls) == 1, (pieces, calls)
    got = (calls[0].arguments, calls[0].raw_arguments)
    assert repr(got) == repr((arguments, raw)) or got == (arguments, raw), (pieces, got)


def _object_then_more(text: str) -> bool:
    """Whether ``text`` is a whole arguments object followed by more than spaces: an
    id-less fragment after a whole call is another call (as Gemini sends them)."""
    stripped = text.lstrip()
    try:
        value, end = _DECODER.raw_decode(stripped)
    except (ValueError, RecursionError):
        return False
    whole = isinstance(value, dict) and argument_problem(value) is None
    return whole and bool(stripped[end:].strip())


def check_value(text: str) -> None:
    """A non-string ``arguments`` (any JSON value) in a whole answer and in a fragment."""
    try:
        value = loads_server_json(text)
    except ServerJSONError:
        return
    call = tool_call("c", "f", value)
    assert isinstance(call.arguments, dict)
    assert call.raw_arguments is None or isinstance(call.raw_arguments, str)
    with contextlib.suppress(ShapeError):
        fragment_text({"arguments": value}, "delta")


def test_one_input(data: bytes) -> None:
    if len(data) < 3:
        return
    seed = int.from_bytes(data[:2], "little")
    if data[2] % 4 == 0:
        check_value(json_text(provider(data[3:])))
        return
    text = data[3:].decode("utf-8", "surrogateescape")
    check_text(text, list(chunks(text, seed)))


if __name__ == "__main__":
    fuzz(test_one_input)
