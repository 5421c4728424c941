"""Framework overhead: one agent run against the same two requests sent by hand.

Both sides run in this process against the emulator in another one, with zero model
latency. Agent runs and raw pairs are interleaved (so drift hits both alike); each
block of ``runs`` pairs gives one ratio of medians, and the figure is taken over blocks.
With ``async_tool=True`` the tool is the same function written ``async``: the seed's
sync tool runs in a tool thread, so the difference between the two figures is that hop. ``backend``
is the model's ``http_backend``; the raw pair is always bare httpx (the issue's limit).
``cpu_ratio`` is the same ratio of this process's CPU time (``time.process_time``) per run
and per pair, which the other load of a shared machine moves far less than wall time.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from benchmarks._scenario import PROMPT, RawClient, build_agent, build_model, capture_bodies
from benchmarks._stats import figure
from locus.agent import Agent

__all__ = ["measure"]


async def measure(
    info: dict[str, Any],
    *,
    blocks: int = 5,
    runs: int = 100,
    warmup: int = 30,
    async_tool: bool = False,
    backend: str = "httpx",
) -> dict[str, Any]:
    """``ratio`` (agent / raw), and ``agent_ms`` and ``raw_ms`` medians per block; the same
    in process CPU time: ``cpu_ratio``, ``agent_cpu_us`` and ``raw_cpu_us``."""
    bodies = await capture_bodies(info)
    agent = build_agent(build_model(info, http_backend=backend), async_tool=async_tool)
    raw = RawClient(info)
    try:
        await _block(agent, raw, bodies, warmup)
        results = [await _block(agent, raw, bodies, runs) for _ in range(blocks)]
    finally:
        await agent.aclose()
        await raw.aclose()
    wall = [block.wall for block in results]
    cpu = [block.cpu for block in results]
    return {
        "ratio": figure([a / r for a, r in wall]),
        "agent_ms": figure([a for a, _ in wall], scale=1000.0),
        "raw_ms": figure([r for _, r in wall], scale=1000.0),
        "cpu_ratio": figure([a / r for a, r in cpu]),
        "agent_cpu_us": figure([a for a, _ in cpu], scale=1e6, digits=1),
        "raw_cpu_us": figure([r for _, r in cpu], scale=1e6, digits=1),
    }


@dataclass(frozen=True, slots=True)
class _Block:
    """Medians of one block: (agent run, raw pair) seconds of wall time and of CPU time."""

    wall: tuple[float, float]
    cpu: tuple[float, float]


async def _block(agent: Agent, raw: RawClient, bodies: list[bytes], runs: int) -> _Block:
    """Median seconds of one agent run and of one raw pair, over ``runs`` interleaved tries."""
    agent_s, raw_s, agent_cpu, raw_cpu = [], [], [], []
    clock, cpu_clock = time.perf_counter, time.process_time
    for _ in range(runs):
        start, start_cpu = clock(), cpu_clock()
        await agent.arun(PROMPT)
        middle, middle_cpu = clock(), cpu_clock()
        for body in bodies:
            await raw.post(body)
        agent_s.append(middle - start)
        raw_s.append(clock() - middle)
        agent_cpu.append(middle_cpu - start_cpu)
        raw_cpu.append(cpu_clock() - middle_cpu)
    median = statistics.median
    return _Block((median(agent_s), median(raw_s)), (median(agent_cpu), median(raw_cpu)))
