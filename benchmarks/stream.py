"""Streaming overhead: ``model.stream()`` against a raw httpx read of the same SSE stream.

The emulator, started with the rules file from ``write_rules``, answers ``PROMPT`` with
``deltas`` words, one stream event each. Both sides send the same signed body and read
the whole stream; the difference in this process's CPU time, divided by the number of
deltas, is the cost per delta (CPU time, because other work on a shared machine makes
wall time noisy; the wall-time difference is reported beside it). The added time to the
first delta is measured on a short answer (``SHORT_PROMPT``, ``SHORT_DELTAS`` words): the
emulator renders a whole answer before its first byte, so a long one would bury a
sub-millisecond difference under its own rendering time.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from benchmarks._scenario import RawClient, RecordingTransport, build_model
from benchmarks._stats import figure
from locus.core.messages import Message
from locus.models.providers.oci import OCIModel

__all__ = ["MARKER", "PROMPT", "SHORT_DELTAS", "SHORT_PROMPT", "measure", "write_rules"]

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
