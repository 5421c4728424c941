"""Thread stores: appends and loads per second, and what a store adds to an agent run.

For each store (in-memory, SQLite in a temporary file, PostgreSQL when a DSN is given):

- ``appends_per_s``: one turn (4 messages: question, tool call, result, answer) appended
  per call, to a thread that grows;
- ``loads_per_s``: loading a 20-turn (80-message) thread;
- ``run_added_ms``: the wall time of one agent run on a thread (``thread_id=``: lock,
  load, a ScriptedModel turn, append) minus the same run on the in-memory store.

Wall time on the event loop (the stores' I/O is off-loop or over loopback). Call
``asyncio.run(measure(postgres_dsn=...))``; the result is a dict of figures per store.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._stats import figure, summary
from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.stores import InMemoryThreadStore, PostgresThreadStore, SQLiteThreadStore
from locus.testing import ScriptedModel

__all__ = ["measure", "turn"]


def turn(i: int) -> list[Message]:
    """One realistic turn of 4 messages."""
    call = ToolCall(f"call_{i}", "add_two_numbers", {"a": i, "b": 2 * i})
    return [
        Message.user(f"Could you add {i} and {2 * i} for the invoice of order A-{i}?"),
        Message.assistant(None, [call]),
        Message.tool(str(3 * i), call.id, call.name),
        Message.assistant(f"The sum is {3 * i}; the invoice of order A-{i} is ready."),
    ]


async def _rate(store: Any, reps: int) -> dict[str, Any]:
    appends: list[float] = []
    for i in range(reps):
        begin = time.perf_counter()
        await store.append("bench-append", turn(i))
        appends.append(time.perf_counter() - begin)
    for i in range(20):
        await store.append("bench-load", turn(i))
    loads: list[float] = []
    for _ in range(reps):
        begin = time.perf_counter()
        await store.load("bench-load")
        loads.append(time.perf_counter() - begin)
    return {
        "appends_per_s": round(1 / summary(appends)["median"]),
        "loads_per_s": round(1 / summary(loads)["median"]),
    }


async def _runs(store: Any, runs: int) -> list[float]:
    answers = [f"answer {i}" for i in range(runs + 5)]
    agent = Agent(model=ScriptedModel(answers), system_prompt="Be brief.", thread_store=store)
    times: list[float] = []
    for i in range(runs + 5):
        begin = time.perf_counter()
        await agent.arun(f"question {i}", thread_id=f"bench-run-{i % 10}")
        if i >= 5:  # warm-up
            times.append(time.perf_counter() - begin)
    return times


async def measure(
    *, postgres_dsn: str | None = None, reps: int = 300, runs: int = 200
) -> dict[str, Any]:
    """Figures per store; PostgreSQL only when ``postgres_dsn`` is given."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        stores: dict[str, Any] = {
            "memory": InMemoryThreadStore(),
            "sqlite": SQLiteThreadStore(Path(tmp) / "bench.db"),
        }
        if postgres_dsn:
            stores["postgres"] = PostgresThreadStore(postgres_dsn)
        base = figure(await _runs(InMemoryThreadStore(), runs), scale=1000)["median"]
        for name, store in stores.items():
            try:
                await store.delete("bench-append")
                await store.delete("bench-load")
                row = await _rate(store, reps)
                run_ms = figure(await _runs(store, runs), scale=1000)
                row["run_ms"] = run_ms
                row["run_added_ms"] = round(run_ms["median"] - base, 3)
                out[name] = row
            finally:
                await store.aclose()
    return out


if __name__ == "__main__":
    import asyncio
    import json
    import os

    dsn = os.environ.get("LOCUS_TEST_POSTGRES_DSN")
    print(json.dumps(asyncio.run(measure(postgres_dsn=dsn)), indent=2))
