"""Whitespace around tool-call arguments means the same in a stream and in a whole answer.

Found by fuzzing the object scanner and the assembler against the whole text
(tests/fuzz/fuzz_arguments.py): a stream took any whitespace around the arguments as
nothing (``str.strip``: U+2028, U+00A0, U+3000...), while the whole answer's decoding
(``json.loads``) refused all but JSON's four, so ``{"a": 1}`` followed by U+2028 was a
call to run from ``stream()`` and arguments kept raw (not run) from ``complete()``. Both
now read any whitespace around the arguments as nothing. Also ``is_json_object`` said
yes to ``{"a": NaN}``, which arguments may not be (see ``locus.core._json_values``).
"""

from __future__ import annotations

import pytest

from locus.models._wire.arguments import is_json_object, parse_arguments
from locus.models._wire.assembler import ToolCallAssembler
from locus.models._wire.object_scan import ObjectScan, parse_object


def assembled(pieces: list[str]) -> list[tuple[dict[str, object], str | None]]:
    assembler = ToolCallAssembler()
    for n, piece in enumerate(pieces):
        assembler.next_event()
        assembler.add(0, "c" if n == 0 else None, "f" if n == 0 else None, piece)
    return [(c.arguments, c.raw_arguments) for c in assembler.calls()]


@pytest.mark.parametrize("space", ["\u2028", "\u00a0", "\u3000", "\x1c", " \r\n\t"])
@pytest.mark.parametrize("where", ["after", "before", "both"])
def test_whitespace_around_arguments_reads_the_same_streamed_and_whole(
    space: str, where: str
) -> None:
    pieces = {
        "after": ['{"a": 1}', space],
        "before": [space, '{"a": 1}'],
        "both": [space, '{"a":', " 1}", space],
    }[where]
    text = "".join(pieces)
    assert parse_arguments(text) == ({"a": 1}, None)
    assert assembled(pieces) == [parse_arguments(text)]
    scan = ObjectScan()
    for piece in pieces:
        if scan.take(piece):
            scan.settle(text)
    assert scan.whole and scan.value == parse_object(text) == {"a": 1}
    assert is_json_object(text)


def test_is_json_object_agrees_with_what_arguments_may_be() -> None:
    assert is_json_object('{"a": 1}') and not is_json_object('{"a": NaN}')
