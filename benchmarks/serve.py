"""Many streaming chats at once through ``locus serve``, against the emulator.

The emulator runs in one process (answering each chat call after ``latency`` s), the
server (``locus serve benchmarks.serve:agent``) in another, and ``runs`` clients here
each stream one OpenAI-compatible chat completion (the emulator counts to five, in
five deltas) with aiohttp. A chat cannot end sooner than ``latency``: efficiency is
that ideal over the measured wall time of the whole wave. The serving path adds the
server's own parsing, the agent loop, SSE framing and a second HTTP hop.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp

from benchmarks._scenario import build_model
from benchmarks._stats import figure
from locus.agent import Agent

__all__ = ["agent", "measure", "server_process"]

PROMPT = "Count from 1 to 5, separated by commas."
_INFO_ENV = "LOCUS_BENCH_EMULATOR_INFO"


def agent() -> Agent:
    """The served agent (``locus serve benchmarks.serve:agent``): no tools, one model call."""
    info = json.loads(os.environ[_INFO_ENV])
    return Agent(build_model(info, max_connections=2000), name="counter")


@contextmanager
def server_process(info: dict[str, Any]) -> Iterator[str]:
    """``locus serve`` on a free loopback port in a subprocess; yields its URL."""
    env = {**os.environ, _INFO_ENV: json.dumps(info)}
    env.pop("LOCUS_SERVE_TOKEN", None)
    cmd = [sys.executable, "-m", "locus.cli", "serve", "benchmarks.serve:agent", "--port", "0"]
    cmd += ["--max-concurrent-per-client", "100000", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"listening on (http://\S+)", line)
        if found is None:
            raise RuntimeError(f"locus serve did not start: {line!r} (exit {proc.poll()})")
        yield found.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=60)


async def _chat(session: aiohttp.ClientSession, url: str) -> str:
    body = {"model": "counter", "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
    text = []
    async with session.post(url + "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        async for raw in response.content:
            line = raw.decode().strip()
            if line.startswith("data: {"):
                for choice in json.loads(line[6:]).get("choices", ()):
                    text.append(choice["delta"].get("content") or "")
    return "".join(text)


async def _wave(url: str, runs: int) -> float:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        answers = await asyncio.gather(*(_chat(session, url) for _ in range(runs)))
        elapsed = time.perf_counter() - start
    bad = [a for a in answers if a != "1, 2, 3, 4, 5"]
    if bad:
        raise RuntimeError(f"{len(bad)} of {runs} chats went wrong, e.g. {bad[0]!r}")
    return elapsed


async def measure(
    info: dict[str, Any], *, latency: float, runs: int = 500, reps: int = 3, warmup: int = 1
) -> dict[str, Any]:
    """``efficiency`` (latency / wall), ``wall_s`` and ``runs`` of streamed chats through
    ``locus serve``; ``info`` is the emulator's (already set to ``latency``)."""
    with server_process(info) as url:
        for _ in range(warmup):
            await _wave(url, runs)
        walls = [await _wave(url, runs) for _ in range(reps)]
    return {
        "efficiency": figure([latency / wall for wall in walls]),
        "wall_s": figure(walls),
        "runs": runs,
    }


if __name__ == "__main__":
    from benchmarks._emulator_proc import configure, emulator_process

    with emulator_process("--log-level", "warning") as emulator:
        configure(emulator, latency=1.0)
        print(json.dumps(asyncio.run(measure(emulator, latency=1.0)), indent=2))
