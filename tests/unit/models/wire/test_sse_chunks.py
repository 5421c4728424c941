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


_DATA_LINES = st.sampled_from(
    [
        b'data: {"a": 1}\n\n',
        b"data: x\n\ndata: y\n\n",
        b"event: ping\ndata: p\n\n",
        b"data: a\ndata: b\n\n",
        b": comment\n\n",
        b"data: cr\r\n\r\n",
        b"data: \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80\n\n",
        b"data: bad \xff byte\n\n",
        b"\xef\xbb\xbfdata: bom\n\n",
        b"data: held",
        b"\n",
        b"\n\n\n",
        b"id: 3\nretry: 5\n",
    ]
)


def _data(chunks: list[bytes]) -> list[str]:
    decoder = SSEDecoder()
    found = [data for chunk in chunks for data in decoder.feed_data(chunk)]
    return found + [event.data for event in decoder.close()]


@given(st.lists(_DATA_LINES, max_size=10), st.integers(min_value=1, max_value=9))
def test_feed_data_gives_the_data_of_the_events_in_any_chunking(
    parts: list[bytes], size: int
) -> None:
    whole = b"".join(parts)
    expected = [event.data for event in _all([whole])]
    assert _data(parts) == _data([whole]) == expected
    assert _data([whole[i : i + size] for i in range(0, len(whole), size)]) == expected


def test_feed_data_keeps_the_limits() -> None:
    decoder = SSEDecoder(max_line_size=10, max_event_size=100)
    with pytest.raises(StreamError, match="longer than 10"):
        decoder.feed_data(b"data: " + b"x" * 20 + b"\n\n")
    decoder = SSEDecoder(max_line_size=100, max_event_size=10)
    with pytest.raises(StreamError, match="larger than 10"):
        decoder.feed_data(b"data: " + b"x" * 20 + b"\n\n")
