"""Look for cost that grows faster than the input, with a fuzz corpus as the inputs.

Run: ``.venv/bin/python -m tests.fuzz.scaling toolcalls|sse <corpus dir>``. Each input is
grown three ways, 8 and 64 times: repeated whole, its last character repeated at the end,
and its middle character repeated in the middle (a long construct in whatever state the
parser is there). Each is parsed whole and streamed in small pieces (text parser) or fed
in pieces of 1 to 16 bytes (SSE decoder). Linear cost grows about 8 times from 8x to
64x; the inputs whose cost grew more than 24 times (and took over 20 ms) are printed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from locus.models._wire.sse import SSEDecoder
from locus.toolcalls import ToolCallStreamParser, parse_tool_calls
from tests.fuzz._support import chunks

Grow = Callable[[bytes, int], bytes]


def _repeat(unit: bytes, k: int) -> bytes:
    return unit * k


def _tail(unit: bytes, k: int) -> bytes:
    return unit + unit[-1:] * (k * len(unit))


def _middle(unit: bytes, k: int) -> bytes:
    half = len(unit) // 2
    return unit[:half] + unit[half : half + 1] * (k * len(unit)) + unit[half:]


GROWTHS: dict[str, Grow] = {"repeat": _repeat, "tail": _tail, "middle": _middle}


def run_toolcalls(body: bytes) -> None:
    text = body.decode("utf-8", "surrogateescape")
    parse_tool_calls(text, "auto")
    parser = ToolCallStreamParser("auto")
    for piece in chunks(text, 7):
        parser.feed(piece)
    parser.close()


def run_sse(body: bytes) -> None:
    decoder = SSEDecoder()
    for piece in chunks(body, 5):
        decoder.feed_data(piece)
    decoder.close()


TARGETS: dict[str, tuple[Callable[[bytes], None], int]] = {
    "toolcalls": (run_toolcalls, 4),  # (the harness's header bytes, left out)
    "sse": (run_sse, 3),
}


def cpu(run: Callable[[bytes], None], body: bytes) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        run(body)
        best = min(best, time.process_time() - start)
    return best


def main(target: str, corpus: Path) -> None:
    run, header = TARGETS[target]
    worst: list[tuple[float, str, str, float]] = []
    for path in sorted(corpus.iterdir()):
        unit = path.read_bytes()[header:]
        if not unit:
            continue
        for name, grow in GROWTHS.items():
            small, large = cpu(run, grow(unit, 8)), cpu(run, grow(unit, 64))
            ratio = large / max(small, 1e-6)
            worst.append((ratio, path.name, name, large))
    worst.sort(reverse=True)
    flagged = [w for w in worst if w[0] > 24 and w[3] > 0.02]
    print(f"{len(worst)} grown inputs; largest growth of cost from 8x to 64x:")
    for ratio, name, how, large in worst[:5]:
        print(f"  {ratio:6.1f}x  {how:6}  {large * 1000:8.1f} ms  {name}")
    print(f"flagged (over 24x and 20 ms): {len(flagged)}")
    for ratio, name, how, large in flagged:
        print(f"  {ratio:6.1f}x  {how:6}  {large * 1000:8.1f} ms  {name}")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
