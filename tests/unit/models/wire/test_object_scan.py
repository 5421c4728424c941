"""Streamed tool-call arguments: whole-object detection piece by piece, in linear work."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locus.models._wire import assembler
from locus.models._wire.arguments import is_json_object
from locus.models._wire.assembler import ToolCallAssembler
from locus.models._wire.object_scan import ObjectScan

TEXTS = [
    '{"city": "Paris"}',
    '  {"a": {"b": [1, {"c": "}"}]}}  ',
    '{"q": "say \\"hi\\" {"}',
    '{"p": "C:\\\\"}',
    '{"u": "\\u007d"}',
    '{"a": 1}{"b": 2}',
    '{"a": 1} x',
    '{"a": 1',
    '{"a": }',
    "[1, 2]",
    "42",
    "",
    "   ",
    '{"a": "\\\\\\"}"}',
]


def scan_pieces(pieces: list[str]) -> bool:
    scan, seen = ObjectScan(), ""
    for piece in pieces:
        seen += piece
        if scan.take(piece):
            scan.settle(seen)
    return scan.whole


@pytest.mark.parametrize("text", TEXTS)
def test_scan_agrees_with_a_whole_parse_at_every_split(text: str) -> None:
    expected = is_json_object(text)
    assert scan_pieces([text]) is expected
    for cut in range(len(text) + 1):
        assert scan_pieces([text[:cut], text[cut:]]) is expected, cut
    assert scan_pieces(list(text)) is expected


def test_the_arguments_are_joined_once_not_once_per_fragment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A name on every id-less fragment (OCI GENERIC) used to join all the parts so far,
    # for every fragment: quadratic in the number of fragments.
    joins = 0
    original = assembler._Partial.text

    def counting(self: assembler._Partial) -> str:
        nonlocal joins
        joins += 1
        return original.fget(self)  # type: ignore[attr-defined,no-any-return]

    monkeypatch.setattr(assembler._Partial, "text", property(counting))
    calls = ToolCallAssembler()
    calls.add(0, None, "echo", '{"s": "')
    for _ in range(2_000):
        calls.add(0, None, "echo", "x")
    calls.add(0, None, "echo", '"}')
    (call,) = calls.calls()
    assert (call.name, call.arguments) == ("echo", {"s": "x" * 2_000})
    assert joins <= 3


_JSON_VALUES = st.recursive(
    st.none() | st.integers() | st.text(alphabet='{}[]"\\:, ab\u00e9'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


def _splits(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(cut, len(text)) for cut in cuts})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


@given(
    st.dictionaries(st.text(max_size=4), _JSON_VALUES, max_size=4),
    st.lists(st.integers(min_value=0, max_value=80), max_size=8),
    st.sampled_from(["", " ", "x", "}", '"', "\\"]),
)
def test_scan_agrees_with_a_whole_parse_in_any_split(
    value: dict[str, object], cuts: list[int], tail: str
) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False) + tail):
        assert scan_pieces(_splits(text, cuts)) is is_json_object(text), text


@given(
    st.text(alphabet='{}"\\ a:,', max_size=30),
    st.lists(st.integers(min_value=0, max_value=30), max_size=6),
)
def test_scan_agrees_with_a_whole_parse_on_any_text(text: str, cuts: list[int]) -> None:
    assert scan_pieces(_splits(text, cuts)) is is_json_object(text)
