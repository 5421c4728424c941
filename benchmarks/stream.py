"""Streaming overhead: ``model.stream()`` against a raw httpx read of the same SSE stream.

The emulator, started with the rules file from ``write_rules``, answers ``PROMPT`` with
``deltas`` words, one stream event each. Both sides send the same signed body and read
the whole stream; their difference, divided by the number of deltas, is the cost per
delta, and the difference in time to the first delta is the added time to first token.
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

__all__ = ["MARKER", "PROMPT", "measure", "write_rules"]

MARKER = "locus-bench-stream"
PROMPT = f"{MARKER}: please stream a long answer."


def write_rules(path: Path, deltas: int) -> Path:
    """A rules file whose answer to ``PROMPT`` is ``deltas`` one-word deltas."""
    rule = {"when": {"contains": MARKER}, "reply": {"text": "tok " * deltas}}
    path.write_text(json.dumps({"rules": [rule]}), encoding="utf-8")
    return path


async def _model_read(model: OCIModel, deltas: int) -> tuple[float, float]:
    """(seconds to the first content delta, seconds to the end) for ``model.stream()``."""
    count, first = 0, 0.0
    start = time.perf_counter()
    async for event in model.stream([Message.user(PROMPT)]):
        if event.content:
            count += 1
            if count == 1:
                first = time.perf_counter() - start
    total = time.perf_counter() - start
    if count != deltas:
        raise RuntimeError(f"model.stream() gave {count} deltas, expected {deltas}")
    return first, total


async def _raw_read(raw: RawClient, body: bytes, deltas: int) -> tuple[float, float]:
    """(seconds to the first body bytes, seconds to the end) reading the SSE body raw."""
    events, first = 0, 0.0
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
    return first, total


async def _capture_body(info: dict[str, Any], deltas: int) -> bytes:
    transport = RecordingTransport()
    model = build_model(info, transport=transport)
    try:
        await _model_read(model, deltas)
    finally:
        await model.aclose()
    return transport.bodies[0]


async def measure(
    info: dict[str, Any], *, deltas: int = 10_000, reps: int = 5, warmup: int = 1
) -> dict[str, Any]:
    """``per_delta_overhead_us`` and ``ttft_overhead_ms``, one value per interleaved pair."""
    body = await _capture_body(info, deltas)
    model, raw = build_model(info), RawClient(info)
    per_delta: list[float] = []
    ttft: list[float] = []
    try:
        for rep in range(warmup + reps):
            model_first, model_total = await _model_read(model, deltas)
            raw_first, raw_total = await _raw_read(raw, body, deltas)
            if rep >= warmup:
                per_delta.append((model_total - raw_total) / deltas)
                ttft.append(model_first - raw_first)
    finally:
        await model.aclose()
        await raw.aclose()
    return {
        "per_delta_overhead_us": figure(per_delta, scale=1e6, digits=2),
        "ttft_overhead_ms": figure(ttft, scale=1e3, digits=3),
    }
