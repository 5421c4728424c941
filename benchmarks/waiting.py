"""What one agent run holds while it waits on its model, beside a bare aiohttp request.

A wave of ``runs`` concurrent runs is started on a warm agent (default model settings)
with the emulator answering after ``latency`` seconds (``2 * latency`` for the calls
that arrive once every first call is out, so that no second answer comes back while
the last runs are still sending); once every run has had its first answer and has its
second request out (``runs`` aiohttp responses in flight again: both sides send with
aiohttp), the traced memory and the ``gc.get_objects()`` count are taken while they
all wait. The emulator's latency is left at ``latency``.
The difference from the same figures before the wave, per run, is what a waiting run
holds: ``kib`` (traced) and ``gc_objects`` (tracked by the collector, so counted by
every full collection while the run waits). ``by_type`` lists the types with the most
tracked objects per run. The same wave sent with ``RawAiohttpClient`` (its second
request) gives the bare figures."""

from __future__ import annotations

import asyncio
import collections
import gc
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks._emulator_proc import configure
from benchmarks._raw_aiohttp import RawAiohttpClient
from benchmarks._scenario import PROMPT, build_agent, build_model, capture_bodies
from locus.core.messages import Message

__all__ = ["measure_collector", "measure_waiting", "measure_waiting_raw"]


def _objects_by_type() -> collections.Counter[str]:
    gc.collect()
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects())


def _responses() -> int:
    """aiohttp responses alive (a request out and its answer not yet read)."""
    return sum(type(o).__name__ == "ClientResponse" for o in gc.get_objects())


async def _until(ready: Callable[[], bool], deadline: float) -> None:
    loop = asyncio.get_running_loop()
    while not ready():
        if loop.time() > deadline:
            raise RuntimeError("the runs were never all waiting on their second call")
        await asyncio.sleep(0.05)


async def _held(
    info: dict[str, Any],
    start: Callable[[], Awaitable[Any]],
    runs: int,
    latency: float,
    done_first: Callable[[], int],
) -> dict[str, Any]:
    """Start the wave, measure while it waits on its second calls, then finish it."""
    configure(info, latency=latency)
    await asyncio.sleep(0.05)  # (the loop lets go of the warm wave's results)
    gc.collect()
    before_types = _objects_by_type()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        wave = asyncio.ensure_future(start())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 4 * latency
        await _until(lambda: _responses() >= runs, deadline)  # every first call out
        configure(info, latency=2 * latency)  # (the second calls wait longer)
        await _until(lambda: done_first() >= runs and _responses() >= runs, deadline)
        await asyncio.sleep(0.3)  # (the requests' writer tasks end)
        after_types = _objects_by_type()
        during = tracemalloc.get_traced_memory()[0]
        if _responses() < runs:
            raise RuntimeError("answers came back while measuring: raise the latency")
    finally:
        tracemalloc.stop()
        configure(info, latency=latency)
    await wave
    diff = collections.Counter(after_types)
    diff.subtract(before_types)
    top = {name: round(n / runs, 2) for name, n in diff.most_common() if abs(n) >= runs / 5}
    return {
        "kib": round((during - before) / runs / 1024, 2),
        "gc_objects": round((sum(after_types.values()) - sum(before_types.values())) / runs, 1),
        "by_type": top,
    }


async def measure_waiting(
    info: dict[str, Any], *, latency: float, runs: int = 300
) -> dict[str, Any]:
    """Per run of the agent, waiting on its second call: ``kib``, ``gc_objects``, ``by_type``."""
    agent = build_agent(build_model(info))
    try:
        await asyncio.gather(*(agent.arun(PROMPT) for _ in range(runs)))  # warm pool

        async def wave() -> None:
            await asyncio.gather(*(agent.arun(PROMPT) for _ in range(runs)))

        def answered() -> int:  # runs past their tool call
            return sum(type(o) is Message and o.role == "tool" for o in gc.get_objects())

        return await _held(info, wave, runs, latency, answered)
    finally:
        await agent.aclose()


async def measure_waiting_raw(
    info: dict[str, Any], *, latency: float, runs: int = 300
) -> dict[str, Any]:
    """The same figures for bare aiohttp requests waiting on the second recorded body."""
    bodies = await capture_bodies(info)
    raw = RawAiohttpClient(info)

    firsts = [0]

    async def sequence() -> None:
        for body in bodies:
            await raw.post(body)
            firsts[0] += 1

    try:
        await asyncio.gather(*(sequence() for _ in range(runs)))
        firsts[0] = 0

        async def wave() -> None:
            await asyncio.gather(*(sequence() for _ in range(runs)))

        return await _held(info, wave, runs, latency, lambda: firsts[0])
    finally:
        await raw.aclose()


async def measure_collector(info: dict[str, Any], *, runs: int = 2000, reps: int = 3) -> list[Any]:
    """Per wave of ``runs`` concurrent runs (after a warm one): ``gc_s``, the CPU seconds
    the collector took on the thread that ran it (``gc.callbacks``; ``time.thread_time``:
    the process's CPU time, used until 2026-12-07, also counted the signing threads' work
    during each collection and about doubled the figure), ``cpu_s`` the event loop
    thread's CPU over the whole wave, and the count of collections of each generation.
    The emulator's latency is the caller's."""
    agent = build_agent(build_model(info))
    began = [0.0]
    found: dict[str, Any] = {}

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.thread_time()
            return
        found["gc_s"] += time.thread_time() - began[0]
        found["collections"][info["generation"]] += 1

    waves: list[Any] = []
    try:
        await asyncio.gather(*(agent.arun(PROMPT) for _ in range(runs)))
        for _ in range(reps):
            await asyncio.sleep(0.1)  # (the loop lets go of the last wave's results)
            found = {"gc_s": 0.0, "collections": [0, 0, 0]}
            gc.callbacks.append(timed)
            start = time.thread_time()
            try:
                await asyncio.gather(*(agent.arun(PROMPT) for _ in range(runs)))
            finally:
                gc.callbacks.remove(timed)
            found["cpu_s"] = time.thread_time() - start
            waves.append({k: round(v, 2) if type(v) is float else v for k, v in found.items()})
    finally:
        await agent.aclose()
    return waves
