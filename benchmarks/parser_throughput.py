"""Throughput of the text tool-call parser, whole and streamed in 1-8 character deltas.

``measure()`` returns MB/s per size; a flat MB/s from 10 KB to 10 MB shows that the
cost per MB does not grow with the length of the message (no rescanning). Times are
process CPU time, so other processes on the machine disturb them little.
Run: ``.venv/bin/python benchmarks/parser_throughput.py``.
"""

from __future__ import annotations

import random
import time

from locus.toolcalls import ToolCallStreamParser, parse_tool_calls

__all__ = ["make_text", "measure"]

_PROSE = (
    "The pressure ratio is < 20 and the [reference] design uses 8 stages; "
    "temperatures near 1500 K need nickel alloys (see <b>note</b>). Débit d'air ≈ 10 kg/s. "
)
_CALL = (
    '<tool_call>\n{"name": "internet_search", "arguments": {"question": "5MW gas turbine '
    'parameters", "options": {"lang": "en", "max": 5, "tags": ["a", "b{c}"]}}}\n</tool_call>\n'
)


def make_text(size: int) -> str:
    """A message of about ``size`` characters: reasoning, prose with stray ``<``/``[``,
    and a Hermes tool call about every kilobyte."""
    unit = _PROSE * 4 + _CALL
    head = "<think>" + _PROSE * 2 + "</think>\n"
    return (head + unit * (size // len(unit) + 1))[:size]


def _time_whole(text: str) -> float:
    start = time.process_time()
    parse_tool_calls(text)
    return time.process_time() - start


def _time_streamed(text: str, seed: int = 7) -> float:
    rng = random.Random(seed)
    steps = bytes(rng.choices(range(1, 9), k=len(text) // 4 + 8))
    parser = ToolCallStreamParser()
    feed = parser.feed
    pos, i, n = 0, 0, len(text)
    start = time.process_time()
    while pos < n:
        step = steps[i % len(steps)]
        feed(text[pos : pos + step])
        pos += step
        i += 1
    parser.close()
    return time.process_time() - start


Row = dict[str, float]


def measure(sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000, 10_000_000)) -> dict[int, Row]:
    """MB/s (UTF-8 megabytes per second) for each size, whole and streamed."""
    results: dict[int, Row] = {}
    for size in sizes:
        text = make_text(size)
        megabytes = len(text.encode()) / 1e6
        repeat = max(3, 1_000_000 // size)
        whole = min(_time_whole(text) for _ in range(repeat))
        runs = 1 if size >= 10_000_000 else 3
        streamed = min(_time_streamed(text) for _ in range(runs))
        results[size] = {"whole_mb_s": megabytes / whole, "streamed_mb_s": megabytes / streamed}
    return results


def _main() -> None:
    results = measure()
    print(f"{'size (chars)':>14} {'whole MB/s':>12} {'streamed MB/s':>14}")
    for size, row in results.items():
        print(f"{size:>14,} {row['whole_mb_s']:>12.1f} {row['streamed_mb_s']:>14.2f}")
    first, last = results[min(results)], results[max(results)]
    for key in ("whole_mb_s", "streamed_mb_s"):
        ratio = first[key] / last[key]
        print(f"cost per MB, largest / smallest ({key.split('_')[0]}): {ratio:.2f}x")


if __name__ == "__main__":
    _main()
