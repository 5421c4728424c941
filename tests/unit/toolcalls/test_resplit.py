"""Every fixture and corpus text, split at every offset (characters and UTF-8 bytes),
parses exactly like the whole text."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator

import pytest

from tests.conftest import DATA_DIR
from tests.unit.toolcalls.fixtures import FIXTURES
from tests.unit.toolcalls.helpers import streamed, whole

CORPUS = json.loads((DATA_DIR / "conformance/toolcall_peer_cases.json").read_text("utf-8"))
TEXTS = {**FIXTURES, **{f"corpus{i:02d}": case["text"] for i, case in enumerate(CORPUS)}}
FORMAT_SETS = ["auto", ["auto", "prefilled_think"], ["hermes"], ["mistral", "llama_json"]]


def _utf8_pieces(text: str, cut: int) -> Iterator[str]:
    """Decode the UTF-8 bytes of ``text`` cut at byte ``cut``, as a byte stream would."""
    data = text.encode()
    decoder = codecs.getincrementaldecoder("utf-8")()
    yield decoder.decode(data[:cut])
    yield decoder.decode(data[cut:], final=True)


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize("formats", FORMAT_SETS, ids=str)
def test_every_character_split(name: str, formats: object) -> None:
    text = TEXTS[name]
    expected = whole(text, formats)
    for cut in range(len(text) + 1):
        assert streamed([text[:cut], text[cut:]], formats) == expected, cut
    assert streamed(list(text), formats) == expected


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_utf8_byte_split(name: str) -> None:
    text = FIXTURES[name]
    expected = whole(text)
    for cut in range(len(text.encode()) + 1):
        assert streamed(_utf8_pieces(text, cut)) == expected, cut


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_three_way_split_of_short_windows(name: str) -> None:
    text = FIXTURES[name]
    expected = whole(text)
    for cut in range(len(text) + 1):
        for width in (1, 2, 5, 13):
            end = min(len(text), cut + width)
            assert streamed([text[:cut], text[cut:end], text[end:]]) == expected, (cut, width)
