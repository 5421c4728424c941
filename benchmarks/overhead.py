"""Framework overhead: one agent run against the same two requests sent by hand.

Both sides run in this process against the emulator in another one, with zero model
latency. Agent runs and raw pairs are interleaved (so drift hits both alike); each
block of ``runs`` pairs gives one ratio of medians, and the figure is taken over blocks.
With ``async_tool=True`` the tool is the same function written ``async``: the seed's
sync tool runs in a tool thread, so the difference between the two figures is that hop. ``backend``
is the model's ``http_backend``; the raw pair is always bare httpx (the issue's limit).
"""

from __future__ import annotations

import statistics
import time
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
    """``ratio`` (agent / raw), and ``agent_ms`` and ``raw_ms`` medians per block."""
    bodies = await capture_bodies(info)
    agent = build_agent(build_model(info, http_backend=backend), async_tool=async_tool)
    raw = RawClient(info)
    try:
        await _block(agent, raw, bodies, warmup)
        results = [await _block(agent, raw, bodies, runs) for _ in range(blocks)]
    finally:
        await agent.aclose()
        await raw.aclose()
    agent_s = [a for a, _ in results]
    raw_s = [r for _, r in results]
    return {
        "ratio": figure([a / r for a, r in results]),
        "agent_ms": figure(agent_s, scale=1000.0),
        "raw_ms": figure(raw_s, scale=1000.0),
    }


async def _block(
    agent: Agent, raw: RawClient, bodies: list[bytes], runs: int
) -> tuple[float, float]:
    """Median seconds of one agent run and of one raw pair, over ``runs`` interleaved tries."""
    agent_s, raw_s = [], []
    for _ in range(runs):
        start = time.perf_counter()
        await agent.arun(PROMPT)
        middle = time.perf_counter()
        for body in bodies:
            await raw.post(body)
        agent_s.append(middle - start)
        raw_s.append(time.perf_counter() - middle)
    return statistics.median(agent_s), statistics.median(raw_s)
