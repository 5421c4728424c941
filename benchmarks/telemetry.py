"""What telemetry costs an agent run: not imported, imported but not instrumented, and
instrumented into the OpenTelemetry SDK's in-memory exporter.

The run is in-process (a ``ScriptedModel``: one tool call, then an answer; two model calls
and one tool call per run), so that any cost of ours is not hidden behind HTTP. A run asks
for global hooks by looking ``locus.telemetry`` up in ``sys.modules``; "not imported" is
measured by taking the module out of ``sys.modules`` for the block (the exact state of a
process that never imported it, as far as the run can tell), and "imported" by putting it
back. Blocks of each state alternate so drift hits all alike; each figure is over blocks.

``measure()`` returns ``imported_ratio`` (imported / not imported: must stay within 1%),
``instrumented_ratio`` (instrumented / not imported) and the per-run microseconds of each.
Run it on a quiet machine: the ratio of two identical code paths is 1.0 up to the noise.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks._stats import figure
from locus import telemetry
from locus.agent import Agent
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel
from locus.tools.decorator import tool

__all__ = ["measure"]

_MODULE = "locus.telemetry"


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def _turns(runs: int) -> list[Any]:
    turns: list[Any] = []
    for i in range(runs):
        turns += [ToolCall(f"call_{i}", "add", {"a": i, "b": 1}), f"The sum is {i + 1}."]
    return turns


async def _block(runs: int) -> float:
    """Seconds per run, over ``runs`` runs of a fresh agent."""
    agent = Agent(model=ScriptedModel(_turns(runs), model_id="bench"), name="bench", tools=[add])
    begin = time.perf_counter()
    for _ in range(runs):
        await agent.arun("Add 1 to the number.")
    return (time.perf_counter() - begin) / runs


@contextmanager
def _hidden() -> Iterator[None]:
    """``locus.telemetry`` absent from ``sys.modules`` (never imported, to the run)."""
    module = sys.modules.pop(_MODULE)
    try:
        yield
    finally:
        sys.modules[_MODULE] = module


async def _states(
    runs: int, exporter: Any, providers: tuple[Any, Any], flip: bool = False
) -> dict[str, float]:
    gc.collect()
    if flip:  # every other block the other order, so neither state always goes first
        imported = await _block(runs)
    with _hidden():
        absent = await _block(runs)
    if not flip:
        imported = await _block(runs)
    telemetry.instrument(tracer_provider=providers[0], meter_provider=providers[1])
    try:
        instrumented = await _block(runs)
    finally:
        telemetry.uninstrument()
        exporter.clear()
    return {"absent": absent, "imported": imported, "instrumented": instrumented}


async def _measure(blocks: int, runs: int, warmup: int) -> dict[str, Any]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    providers = (tracer_provider, meter_provider)
    await _states(warmup, exporter, providers)
    results = [await _states(runs, exporter, providers, i % 2 == 1) for i in range(blocks)]
    tracer_provider.shutdown()
    meter_provider.shutdown()
    absent = [r["absent"] for r in results]
    return {
        "imported_ratio": figure([r["imported"] / r["absent"] for r in results], digits=4),
        "instrumented_ratio": figure([r["instrumented"] / r["absent"] for r in results]),
        "absent_us": figure(absent, scale=1e6, digits=1),
        "imported_us": figure([r["imported"] for r in results], scale=1e6, digits=1),
        "instrumented_us": figure([r["instrumented"] for r in results], scale=1e6, digits=1),
        "spans_per_run": 4,
    }


def measure(blocks: int = 15, runs: int = 300, warmup: int = 100) -> dict[str, Any]:
    """Figures over ``blocks`` alternating blocks of ``runs`` runs in each state."""
    return asyncio.run(_measure(blocks, runs, warmup))


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
