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

``scaling`` is the same measure under the model's **default** settings (no
``max_connections=``, no ``http_backend=``) at several sizes, each wave of the agent
followed by the same wave sent with bare aiohttp (``measure_raw_aiohttp``'s limit: the
recorded bodies signed with ``RequestSigner``, one ``aiohttp.ClientSession`` without a
connection limit). The raw side signs either inline or, like the model under load, in
two threads (a ``ThreadPoolExecutor``); the better of the two is the limit.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx

from benchmarks._costs import WaveCosts
from benchmarks._raw_aiohttp import RawAiohttpClient
from benchmarks._scenario import PROMPT, RawClient, build_agent, build_model, capture_bodies
from benchmarks._stats import figure
from locus.agent import Agent, AgentResult

__all__ = ["measure", "measure_memory", "measure_raw", "scaling"]


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

    try:
        walls = [await _raw_wave(raw.post, bodies, runs) for _ in range(reps + 1)]
    finally:
        await raw.aclose()
    return {"efficiency": figure([2 * latency / w for w in walls[1:]]), "wall_s": figure(walls[1:])}


async def _raw_wave(
    post: Callable[[bytes], Awaitable[bytes]], bodies: list[bytes], runs: int
) -> float:
    """Seconds for ``runs`` concurrent raw sequences of ``bodies``."""

    async def sequence() -> None:
        for body in bodies:
            await post(body)

    start = time.perf_counter()
    await asyncio.gather(*(sequence() for _ in range(runs)))
    return time.perf_counter() - start


RAW_VARIANTS = {"inline": 0, "threads": 2}
"""The raw aiohttp limits measured beside the agent: signing threads (0: inline)."""


async def scaling(
    info: dict[str, Any],
    *,
    latency: float,
    sizes: Sequence[int],
    reps: int = 3,
    warmup: int = 1,
    wave_timeout: float = 120.0,
) -> dict[str, Any]:
    """Per size (its string as key): the agent on default model settings and bare aiohttp,
    wave after wave (see the module docstring). An agent wave that takes longer than
    ``wave_timeout`` is cancelled and the agent is not measured at that size again (the
    raw waves still are): ``timed_out_s`` says so instead of an efficiency."""
    bodies = await capture_bodies(info)
    found = {}
    for runs in sizes:
        scale = _Scale(info, bodies, runs, wave_timeout)
        found[str(runs)] = await scale.measure(latency, reps, warmup)
    return found


class _Scale:
    """The waves of one size: the agent's, then each raw variant's, ``reps`` times."""

    def __init__(
        self, info: dict[str, Any], bodies: list[bytes], runs: int, wave_timeout: float
    ) -> None:
        self.runs, self.bodies, self.wave_timeout = runs, bodies, wave_timeout
        self.agent: Agent | None = build_agent(build_model(info))
        self.raws = {name: RawAiohttpClient(info, threads=n) for name, n in RAW_VARIANTS.items()}
        self.walls: dict[str, list[float]] = {name: [] for name in ("locus", *self.raws)}
        self.costs: dict[str, list[WaveCosts]] = {name: [] for name in self.walls}

    async def measure(self, latency: float, reps: int, warmup: int) -> dict[str, Any]:
        try:
            for rep in range(warmup + reps):
                with WaveCosts() as costs:
                    wave = await self._agent_wave()
                spent = {"locus": costs}
                for name, raw in self.raws.items():
                    with WaveCosts() as spent[name]:
                        wave[name] = await _raw_wave(raw.post, self.bodies, self.runs)
                for name, wall in wave.items():
                    if rep >= warmup:
                        self.walls[name].append(wall)
                        self.costs[name].append(spent[name])
        finally:
            if self.agent is not None:
                await self.agent.aclose()
            for raw in self.raws.values():
                await raw.aclose()
        return self._figures(latency)

    async def _agent_wave(self) -> dict[str, float]:
        if self.agent is None:
            return {}
        try:
            return {
                "locus": await asyncio.wait_for(_wave(self.agent, self.runs), self.wave_timeout)
            }
        except TimeoutError:
            await self.agent.aclose()
            self.agent = None
            await asyncio.sleep(min(5.0, self.wave_timeout))  # the emulator answers them still
            return {}

    def _figures(self, latency: float) -> dict[str, Any]:
        efficiency = {name: [2 * latency / w for w in ws] for name, ws in self.walls.items()}
        best_raw = [max(e) for e in zip(*(efficiency[name] for name in RAW_VARIANTS), strict=True)]
        found: dict[str, Any] = {"runs": self.runs, "raw_aiohttp_efficiency": figure(best_raw)}
        for name in RAW_VARIANTS:
            found[f"raw_aiohttp_{name}_efficiency"] = figure(efficiency[name])
        found["costs"] = self._costs()
        if self.agent is None:
            found["timed_out_s"] = self.wave_timeout
            return found
        ours = efficiency["locus"]
        found["efficiency"] = figure(ours)
        found["wall_s"] = figure(self.walls["locus"])
        found["vs_raw_aiohttp"] = figure([e / r for e, r in zip(ours, best_raw, strict=True)])
        return found

    def _costs(self) -> dict[str, Any]:
        """Per side (``locus`` and each raw variant) measured: the event loop's CPU seconds
        per wave, the seconds in garbage collection, and the full (generation 2)
        collections: where the agent's extra wall time goes."""
        return {
            name: {
                "loop_cpu_s": figure([c.loop_cpu_s for c in waves]),
                "gc_s": figure([c.gc_s for c in waves]),
                "full_collections": figure([float(c.collections[2]) for c in waves], digits=1),
            }
            for name, waves in self.costs.items()
            if waves
        }
