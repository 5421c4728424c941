"""Fuzz the event-stream decoder and what the stream reader does with its events.

Input: byte 0 picks the wire format, bytes 1-2 seed the chunk splits, the rest is a
streamed body (any bytes: CR/LF mixes, BOMs, invalid UTF-8 split between chunks...).

Judged by: the reader's path (``SSEDecoder.feed_data``, ``[DONE]``, ``json_data``, the
format's stream decoder, ``close()``) raises nothing but ``StreamError``; and the event
data ``feed_data`` gives for the split body equal what the general ``feed`` gives, for
the body whole and for the same split (its fast paths change no result).

Run: ``.venv/bin/python -m tests.fuzz.fuzz_sse -dict=tests/fuzz/sse.dict
-max_total_time=600 <corpus dir>``.
"""

from __future__ import annotations

from locus.core.errors import StreamError
from locus.models._openai import OpenAIStreamDecoder
from locus.models._wire.accumulator import StreamAccumulator
from locus.models._wire.sse import DONE_SENTINEL, SSEDecoder, json_data
from locus.models.providers.oci._formats import ChatStreamDecoder
from tests.fuzz._support import chunks, fuzz

FORMATS = ["openai", "GENERIC", "COHERE", "COHEREV2"]
LIMITS = {"max_line_size": 4096, "max_event_size": 8192}


def event_data(pieces: list[bytes], *, fast: bool) -> list[str] | str:
    """The data of every event (or the error text), read with ``feed_data`` or ``feed``."""
    decoder = SSEDecoder(**LIMITS)
    out: list[str] = []
    try:
        for piece in pieces:
            out += decoder.feed_data(piece) if fast else [e.data for e in decoder.feed(piece)]
        out += [e.data for e in decoder.close()]
    except StreamError as exc:
        return str(exc)
    return out


def decode_stream(datas: list[str], decoder: StreamAccumulator) -> None:
    """What ``JsonEventReader`` and ``StreamRead`` do with the events' data."""
    try:
        for data in datas:
            if data.strip() == DONE_SENTINEL:
                break
            payload = json_data(data, endpoint="https://example.test")
            if payload is not None:
                decoder.feed(payload)
        final = decoder.close()
    except StreamError:
        return
    assert final.done and final.response is not None


def test_one_input(data: bytes) -> None:
    if len(data) < 3:
        return
    fmt = FORMATS[data[0] % len(FORMATS)]
    body = data[3:]
    pieces = list(chunks(body, int.from_bytes(data[1:3], "little")))
    split = event_data(pieces, fast=True)
    assert split == event_data([body], fast=False), (pieces, split)
    assert split == event_data(pieces, fast=False), (pieces, split)
    if isinstance(split, list):
        decoder = OpenAIStreamDecoder() if fmt == "openai" else ChatStreamDecoder(fmt)
        decode_stream(split, decoder)


if __name__ == "__main__":
    fuzz(test_one_input)
