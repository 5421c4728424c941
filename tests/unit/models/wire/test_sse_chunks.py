"""One event per chunk (the usual server write) decodes as the same body in any other split."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locus.core.errors import StreamError
from locus.models._wire.sse import ServerSentEvent, SSEDecoder

_LINES = st.sampled_from(
    [
        b"data: {}\n\n",
        b'data: {"a": 1}\n\n',
        b"data:x\n\n",
        b"data:  two spaces\n\n",
        b"data: \n\n",
        b"event: ping\n",
        b"id: 7\n",
        b"retry: 10\n",
        b": comment\n",
        b"data: a\ndata: b\n\n",
        b"data: cr\r\n\r\n",
        b"data: held",
        b"\n",
        b"\n\n",
        b"\xef\xbb\xbfdata: bom\n\n",
    ]
)


def _all(chunks: list[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed(chunk)]
    return events + decoder.close()


@given(st.lists(_LINES, max_size=12))
def test_chunk_per_write_equals_one_whole_body(chunks: list[bytes]) -> None:
    whole = b"".join(chunks)
    assert _all(chunks) == _all([whole]) == _all([whole[i : i + 1] for i in range(len(whole))])


def test_an_event_over_the_limits_still_fails_when_alone_in_its_chunk() -> None:
    decoder = SSEDecoder(max_line_size=10, max_event_size=100)
    decoder.feed(b": start\n")
    with pytest.raises(StreamError, match="longer than 10"):
        decoder.feed(b"data: " + b"x" * 20 + b"\n\n")


def test_event_name_applies_to_the_next_event_only() -> None:
    decoder = SSEDecoder()
    decoder.feed(b": start\n")
    assert decoder.feed(b"event: ping\n") == []
    first = decoder.feed(b"data: 1\n\n")
    second = decoder.feed(b"data: 2\n\n")
    assert [(e.event, e.data) for e in first + second] == [("ping", "1"), ("message", "2")]
