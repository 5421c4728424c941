"""Many agent runs at once on one agent (one model, one pooled client), with model latency.

With the emulator answering each call after ``latency`` seconds, a run of two calls
cannot end sooner than ``2 * latency``: efficiency is that ideal over the measured wall
time of ``runs`` concurrent runs. A second pass traces allocations (``tracemalloc``) and
reports the peak per in-flight run. The model's pool is raised to ``runs`` connections
with its ``max_connections=`` option (the default pool holds 100), and ``backend`` is
its ``http_backend`` option: ``"aiohttp"`` is the configuration for many concurrent
runs, ``"httpx"`` the default. With httpx, idle keep-alive connections stay at httpx's
default of 20, because httpcore 1.0's pool scans its idle connections in quadratic
time. ``measure_raw`` runs the same waves with ``RawClient`` (bare httpx) on a pool of
``runs`` connections without keep-alive (with keep-alive, that quadratic scan makes
bare httpx several times slower still).
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from typing import Any

import httpx

from benchmarks._scenario import PROMPT, RawClient, build_agent, build_model, capture_bodies
from benchmarks._stats import figure
from locus.agent import Agent, AgentResult

__all__ = ["measure", "measure_memory", "measure_raw"]


def _transport(runs: int, keepalive: int = 20) -> httpx.AsyncHTTPTransport:
    limits = httpx.Limits(max_connections=runs, max_keepalive_connections=keepalive)
    return httpx.AsyncHTTPTransport(limits=limits)


def _agent(info: dict[str, Any], runs: int, backend: str) -> Agent:
    return build_agent(build_model(info, max_connections=runs, http_backend=backend))


async def _wave(agent: Agent, runs: int) -> float:
    """Seconds for ``runs`` concurrent runs; every one must call the tool and answer."""
    start = time.perf_counter()
    results = await asyncio.gather(*(agent.arun(PROMPT) for _ in range(runs)))
    elapsed = time.perf_counter() - start
    _check(results)
    return elapsed


def _check(results: list[AgentResult]) -> None:
    bad = [r for r in results if r.metrics.tool_calls != 1 or "42" not in r.message]
    if bad:
        raise RuntimeError(f"{len(bad)} of {len(results)} concurrent runs went wrong")


async def measure(
    info: dict[str, Any],
    *,
    latency: float,
    runs: int = 500,
    reps: int = 3,
    warmup: int = 1,
    backend: str = "aiohttp",
) -> dict[str, Any]:
    """``efficiency`` (2 * latency / wall), ``wall_s``, ``runs`` and ``backend``."""
    agent = _agent(info, runs, backend)
    try:
        for _ in range(warmup):
            await _wave(agent, runs)
        walls = [await _wave(agent, runs) for _ in range(reps)]
    finally:
        await agent.aclose()
    return {
        "efficiency": figure([2 * latency / wall for wall in walls]),
        "wall_s": figure(walls),
        "runs": runs,
        "backend": backend,
    }


async def measure_memory(
    info: dict[str, Any], *, runs: int = 500, reps: int = 3, backend: str = "aiohttp"
) -> dict[str, Any]:
    """Peak traced KiB per in-flight run, over a warm agent and pool (one figure per pass)."""
    agent = _agent(info, runs, backend)
    per_run: list[float] = []
    try:
        await _wave(agent, runs)
        for _ in range(reps):
            tracemalloc.start()
            try:
                base = tracemalloc.get_traced_memory()[0]
                await _wave(agent, runs)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            per_run.append((peak - base) / runs / 1024)
    finally:
        await agent.aclose()
    return figure(per_run, digits=1)


async def measure_raw(
    info: dict[str, Any], *, latency: float, runs: int = 500, reps: int = 1
) -> dict[str, Any]:
    """The same waves sent by hand (``RawClient``, same pool limits): the machine's limit."""
    bodies = await capture_bodies(info)
    raw = RawClient(info)
    await raw.client.aclose()
    raw.client = httpx.AsyncClient(transport=_transport(runs, keepalive=0))

    async def pair() -> None:
        for body in bodies:
            await raw.post(body)

    walls = []
    try:
        for _ in range(reps + 1):
            start = time.perf_counter()
            await asyncio.gather(*(pair() for _ in range(runs)))
            walls.append(time.perf_counter() - start)
    finally:
        await raw.aclose()
    return {"efficiency": figure([2 * latency / w for w in walls[1:]]), "wall_s": figure(walls[1:])}
