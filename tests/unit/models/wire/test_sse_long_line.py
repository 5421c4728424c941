"""A long event-stream line arriving in small chunks costs time linear in its length.

Found while fuzzing the SSE decoder (tests/fuzz/fuzz_sse.py, with tests/fuzz/scaling.py
replaying its corpus at growing sizes): the unfinished line was kept as a string and
each chunk was added to it, which copies the whole line again per chunk: a 200 kB line
sent a byte at a time took 1.1 s, a 4 MiB one (the line limit) hours.
"""

from __future__ import annotations

import time

from locus.models._wire.sse import SSEDecoder


def _cpu_seconds(size: int, step: int) -> float:
    body = b"data: " + b"x" * size + b"\n\n"
    best = float("inf")
    for _ in range(2):
        decoder = SSEDecoder()
        start = time.process_time()
        data: list[str] = []
        for i in range(0, len(body), step):
            data += decoder.feed_data(body[i : i + step])
        best = min(best, time.process_time() - start)
        assert data == ["x" * size]
    return best


def test_a_long_line_in_small_chunks_is_decoded_in_linear_time() -> None:
    small, large = _cpu_seconds(25_000, 1), _cpu_seconds(200_000, 1)
    assert large < 16 * small + 0.05, (small, large)  # 8 times as long: 6x the time, was 28x


def test_the_line_limit_still_counts_every_chunk() -> None:
    decoder = SSEDecoder(max_line_size=100)
    decoder.feed_data(b"data: " + b"x" * 90)
    try:
        decoder.feed_data(b"y" * 20)
    except Exception as exc:
        assert "longer than 100 characters" in str(exc)
    else:
        raise AssertionError("a line over the limit was accepted")
