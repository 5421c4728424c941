"""A model per request, as a web handler makes one: its time and its memory.

``measure`` interleaves a cold run (a new ``OCIModel`` and ``Agent`` on default
settings, then their first run, the seed's Part 5 shape) with a warm run (the same
run on an agent that already exists); the figure is cold minus warm, per pair. Closing
the cold model is timed apart (``close_ms``, not in the figure): a handler that lets the
model go without closing it does not pay it. ``cpu_ms`` is the same difference in this
process's CPU time (``time.process_time``: the loop and the signing threads), steadier on a
shared machine than the wall-clock figure, which is a difference of two ~5 ms timings.

``measure_memory`` keeps ``models`` models alive, each built and used for one agent run
(the agent is then dropped, the model kept), under ``tracemalloc`` after a warm model
has made its own call: memory still traced afterwards (after a collection) over
``models``.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from typing import Any

from benchmarks._scenario import PROMPT, build_agent, build_model
from benchmarks._stats import figure
from locus.agent import Agent, AgentResult
from locus.models.providers.oci import OCIModel

__all__ = ["measure", "measure_memory"]


def _check(result: AgentResult) -> None:
    if result.metrics.tool_calls != 1 or "42" not in result.message:
        raise RuntimeError(f"the run went wrong: {result.message!r}")


async def _warm(agent: Agent) -> tuple[float, float]:
    """Wall and CPU seconds of one run of an existing agent."""
    start, cpu = time.perf_counter(), time.process_time()
    result = await agent.arun(PROMPT)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    _check(result)
    return elapsed, cpu


async def _cold(info: dict[str, Any]) -> tuple[float, float, float]:
    """Wall and CPU seconds to build a model and agent and run it once, and wall seconds
    to close it."""
    start, cpu = time.perf_counter(), time.process_time()
    agent = build_agent(build_model(info))
    result = await agent.arun(PROMPT)
    middle, cpu = time.perf_counter(), time.process_time() - cpu
    await agent.aclose()
    end = time.perf_counter()
    _check(result)
    return middle - start, cpu, end - middle


async def measure(info: dict[str, Any], *, reps: int = 50, warmup: int = 5) -> dict[str, Any]:
    """``ms`` (cold run minus warm run), ``cpu_ms`` (the same in CPU time), and
    ``cold_ms``, ``warm_ms`` and ``close_ms``."""
    agent = build_agent(build_model(info))
    cold, warm, close, cpu = [], [], [], []
    try:
        for rep in range(warmup + reps):
            warm_s, warm_cpu = await _warm(agent)
            cold_s, cold_cpu, close_s = await _cold(info)
            if rep >= warmup:
                cold.append(cold_s)
                warm.append(warm_s)
                close.append(close_s)
                cpu.append(cold_cpu - warm_cpu)
    finally:
        await agent.aclose()
    return {
        "ms": figure([c - w for c, w in zip(cold, warm, strict=True)], scale=1e3),
        "cpu_ms": figure(cpu, scale=1e3),
        "cold_ms": figure(cold, scale=1e3),
        "warm_ms": figure(warm, scale=1e3),
        "close_ms": figure(close, scale=1e3),
    }


async def _used_model(info: dict[str, Any]) -> OCIModel:
    model = build_model(info)
    _check(await build_agent(model).arun(PROMPT))
    return model


async def _traced_kib(info: dict[str, Any], models: int) -> float:
    """KiB still traced per model after ``models`` models each made one run."""
    kept: list[OCIModel] = []
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(models):
            kept.append(await _used_model(info))
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
        for model in kept:
            await model.aclose()
    return grown / models / 1024


async def measure_memory(
    info: dict[str, Any], *, models: int = 200, reps: int = 3
) -> dict[str, float]:
    """KiB per extra model kept alive (one figure per pass of ``models`` models)."""
    warm = await _used_model(info)
    try:
        per_model = [await _traced_kib(info, models) for _ in range(reps)]
    finally:
        await warm.aclose()
    return figure(per_model, digits=1)
