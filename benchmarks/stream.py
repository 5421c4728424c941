"""Streaming overhead: ``model.stream()`` against a raw httpx read of the same SSE stream.

The emulator, started with the rules file from ``write_rules``, answers ``PROMPT`` with
``deltas`` words, one stream event each. Both sides send the same signed body and read
the whole stream; the difference in this process's CPU time, divided by the number of
deltas, is the cost per delta (CPU time, because other work on a shared machine makes
wall time noisy; the wall-time difference is reported beside it). The added time to the
first delta is measured on a short answer (``SHORT_PROMPT``, ``SHORT_DELTAS`` words): the
emulator renders a whole answer before its first byte, so a long one would bury a
sub-millisecond difference under its own rendering time.

``decode_cpu`` is the client's CPU per streamed answer with no network at all: the
scenario's recorded answers (``RECORDED``, from our emulator) read through the event
reader, the GENERIC decoder and the text tool-call parser (``tool_call_format="auto"``,
a DAC model's default), the body arriving one event per chunk, all at once, or one event
per chunk that needs no wait (``ready_chunk``). Run: ``python -m benchmarks.stream``.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from benchmarks._scenario import RawClient, RecordingTransport, build_model
from benchmarks._stats import figure
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.models.http._answer import Answer
from locus.models.http._sse_reader import JsonEventReader
from locus.models.http._streaming import stream_events
from locus.models.http._textcalls import StreamTextCalls
from locus.models.providers.oci import OCIModel
from locus.models.providers.oci._formats.stream import ChatStreamDecoder

__all__ = [
    "MARKER",
    "PROMPT",
    "RECORDED",
    "SHORT_DELTAS",
    "SHORT_PROMPT",
    "RecordedAnswer",
    "decode_cpu",
    "measure",
    "write_rules",
]

MARKER = "locus-bench-long"
PROMPT = f"{MARKER}: please stream a long answer."
SHORT_MARKER = "locus-bench-short"
SHORT_PROMPT = f"{SHORT_MARKER}: please stream a short answer."
SHORT_DELTAS = 10


def write_rules(path: Path, deltas: int) -> Path:
    """A rules file: ``deltas`` one-word deltas for ``PROMPT``, a few for ``SHORT_PROMPT``."""
    rules = [
        {"when": {"contains": MARKER}, "reply": {"text": "tok " * deltas}},
        {"when": {"contains": SHORT_MARKER}, "reply": {"text": "tok " * SHORT_DELTAS}},
    ]
    path.write_text(json.dumps({"rules": rules}), encoding="utf-8")
    return path


Timing = tuple[float, float, float]
"""Seconds to the first delta, seconds to the end, and CPU seconds of this process."""


async def _model_read(model: OCIModel, prompt: str, deltas: int) -> Timing:
    """The timing of reading ``model.stream()`` to the end."""
    count, first = 0, 0.0
    cpu = time.process_time()
    start = time.perf_counter()
    async for event in model.stream([Message.user(prompt)]):
        if event.content:
            count += 1
            if count == 1:
                first = time.perf_counter() - start
    total = time.perf_counter() - start
    if count != deltas:
        raise RuntimeError(f"model.stream() gave {count} deltas, expected {deltas}")
    return first, total, time.process_time() - cpu


async def _raw_read(raw: RawClient, body: bytes, deltas: int) -> Timing:
    """The timing of reading the same SSE body raw (the first delta is the first bytes)."""
    events, first = 0, 0.0
    cpu = time.process_time()
    start = time.perf_counter()
    headers = raw.sign(body)
    async with raw.client.stream("POST", raw.url, content=body, headers=headers) as response:
        async for chunk in response.aiter_bytes():
            if not first:
                first = time.perf_counter() - start
            events += chunk.count(b"data: ")
    total = time.perf_counter() - start
    if events < deltas:
        raise RuntimeError(f"the raw stream had {events} events, expected at least {deltas}")
    return first, total, time.process_time() - cpu


async def _capture_body(info: dict[str, Any], prompt: str, deltas: int) -> bytes:
    transport = RecordingTransport()
    model = build_model(info, transport=transport)
    try:
        await _model_read(model, prompt, deltas)
    finally:
        await model.aclose()
    return transport.bodies[0]


async def _pairs(
    info: dict[str, Any], prompt: str, deltas: int, reps: int, warmup: int
) -> list[Timing]:
    """Per interleaved pair: model minus raw, for each part of the timing."""
    body = await _capture_body(info, prompt, deltas)
    model, raw = build_model(info), RawClient(info)
    pairs: list[Timing] = []
    try:
        for rep in range(warmup + reps):
            ours = await _model_read(model, prompt, deltas)
            limit = await _raw_read(raw, body, deltas)
            if rep >= warmup:
                pairs.append((ours[0] - limit[0], ours[1] - limit[1], ours[2] - limit[2]))
    finally:
        await model.aclose()
        await raw.aclose()
    return pairs


async def measure(
    info: dict[str, Any],
    *,
    deltas: int = 10_000,
    reps: int = 5,
    ttft_reps: int = 50,
    warmup: int = 1,
) -> dict[str, Any]:
    """``per_delta_overhead_us`` (CPU, long stream), ``ttft_overhead_ms`` (short stream),
    and ``per_delta_wall_us`` (wall time, long stream: for the record)."""
    long = await _pairs(info, PROMPT, deltas, reps, warmup)
    short = await _pairs(info, SHORT_PROMPT, SHORT_DELTAS, ttft_reps, warmup * 5)
    return {
        "per_delta_overhead_us": figure([p[2] / deltas for p in long], scale=1e6, digits=2),
        "ttft_overhead_ms": figure([p[0] for p in short], scale=1e3, digits=3),
        "per_delta_wall_us": figure([p[1] / deltas for p in long], scale=1e6, digits=2),
    }


RECORDED = Path(__file__).parents[1] / "tests" / "data" / "streams" / "emulator_streams.json"
"""The scenario's two streamed answers (and a Qwen ``<tool_call>`` run), chunk by chunk."""

_TOOLS = [
    ToolSpec(
        "add_two_numbers",
        "Return the sum of two integers.",
        {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}},
    )
]


class RecordedAnswer(Answer):
    """A recorded body, chunk by chunk (``all_in``: it has all arrived); also the answer
    the recorded-stream tests read (``tests/unit/models/http/test_recorded_streams.py``)."""

    __slots__ = ("_all_in", "_chunks", "_closed")

    def __init__(self, chunks: list[bytes], *, all_in: bool = False) -> None:
        super().__init__(200, {}, float("inf"))
        self._chunks, self._all_in, self._closed = list(chunks), all_in, False

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def read_chunk(self) -> bytes:
        return self._chunks.pop(0) if self._chunks else b""

    def received_all(self) -> bool:
        return self._all_in

    async def aclose(self) -> None:
        self._closed = True


class _Ready(RecordedAnswer):
    """A recorded body whose chunks are all there without a wait."""

    __slots__ = ()

    def ready_chunk(self) -> bytes | None:
        return self._chunks.pop(0) if self._chunks else b""


async def _read(answer: Answer) -> int:
    reader = JsonEventReader(answer, endpoint="http://recorded")
    decoder = ChatStreamDecoder("GENERIC", model_id="recorded")
    texts = StreamTextCalls("auto", _TOOLS)
    return len([event async for event in stream_events(reader, decoder, texts, None)])


_MODES: dict[str, Any] = {
    "chunk_per_event": lambda chunks: RecordedAnswer(chunks),
    "body_all_in": lambda chunks: RecordedAnswer([b"".join(chunks)], all_in=True),
    "ready_chunks": lambda chunks: _Ready(chunks),
}


async def _decode_cpu(streams: dict[str, list[bytes]], reps: int, inner: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, chunks in streams.items():
        for mode, make in _MODES.items():
            await _read(make(chunks))  # (warm-up)
            times = []
            for _ in range(reps):
                cpu = time.process_time()
                for _ in range(inner):
                    await _read(make(chunks))
                times.append((time.process_time() - cpu) / inner)
            out[f"{name}/{mode}_us"] = figure(times, scale=1e6, digits=1)
    return out


def decode_cpu(*, reps: int = 15, inner: int = 200) -> dict[str, Any]:
    """CPU microseconds per streamed answer, per recorded stream and arrival (see above)."""
    recorded = json.loads(RECORDED.read_text("utf-8"))["streams"]
    streams = {name: [chunk.encode() for chunk in chunks] for name, chunks in recorded.items()}
    return asyncio.run(_decode_cpu(streams, reps, inner))


if __name__ == "__main__":
    for key, value in decode_cpu().items():
        print(f"{key:32} {value}")
