"""The figure groups of the later issues, as ``python -m benchmarks`` runs them.

``stores`` (issue 18: appends and loads per second, time added to a run per store),
``embeddings`` (issue 23: texts per second against the OCI SDK, target 3x),
``telemetry`` (issue 21: what an imported, uninstrumented ``locus.telemetry`` costs a
run, target under 1 %), ``durable`` (issue 19: durable runs per second on Temporal's dev
server) and ``serve`` (issue 22: streamed chats through ``locus serve``, target 0.8 at
500). Each ``run_*`` takes the harness's sizes and fills ``results[name]``.

PostgreSQL's DSN comes from ``LOCUS_TEST_POSTGRES_DSN``, then ``.test-services/env``;
when neither has it ``scripts/test-services.sh start`` is run once (and stopped again at
the end). A server that cannot start leaves ``results["stores"]["postgres"]`` holding the
script's reason instead of figures.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from benchmarks._emulator_proc import configure, emulator_process

__all__ = ["GROUPS", "SLOW", "ExtraSizes", "postgres_dsn", "run_group"]

ROOT = Path(__file__).resolve().parents[1]
_STATE = ROOT / ".test-services"
_SCRIPT = ROOT / "scripts" / "test-services.sh"
_DSN = "LOCUS_TEST_POSTGRES_DSN"


class ExtraSizes(Protocol):
    """The fields of ``benchmarks.__main__.Sizes`` these groups read."""

    @property
    def stores_reps(self) -> int: ...
    @property
    def stores_runs(self) -> int: ...
    @property
    def embeddings_texts(self) -> int: ...
    @property
    def embeddings_latency(self) -> float: ...
    @property
    def telemetry_blocks(self) -> int: ...
    @property
    def telemetry_runs(self) -> int: ...
    @property
    def telemetry_warmup(self) -> int: ...
    @property
    def durable_runs(self) -> int: ...
    @property
    def durable_reps(self) -> int: ...
    @property
    def serve_runs(self) -> int: ...
    @property
    def serve_reps(self) -> int: ...
    @property
    def latency(self) -> float: ...


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def postgres_dsn(start: bool = True) -> tuple[str | None, str]:
    """PostgreSQL's DSN and, when there is none, why (the services script's reason)."""
    if os.environ.get(_DSN):
        return os.environ[_DSN], ""
    if start and not (_STATE / "env").exists():
        _say("starting PostgreSQL: scripts/test-services.sh start")
        env = {**os.environ, "PYTHON": sys.executable}
        subprocess.run([str(_SCRIPT), "start"], check=False, cwd=ROOT, env=env)
        _started.append(True)
    found = _read_env().get(_DSN)
    if found:
        return found, ""
    error = _STATE / "error"
    reason = error.read_text("utf-8").strip() if error.exists() else "no reason recorded"
    return None, f"no PostgreSQL ({_DSN} unset; scripts/test-services.sh: {reason})"


_started: list[bool] = []


def stop_started_services() -> None:
    """Stop the servers ``postgres_dsn`` started (none when they were already running)."""
    if _started:
        subprocess.run([str(_SCRIPT), "stop"], check=False, cwd=ROOT)
        _started.clear()


def _read_env() -> dict[str, str]:
    path = _STATE / "env"
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text("utf-8").splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def run_stores(sizes: ExtraSizes, results: dict[str, Any]) -> None:
    from benchmarks import stores

    dsn, why = postgres_dsn()
    _say(f"stores: memory, sqlite{', postgres' if dsn else ''}")
    try:
        found = asyncio.run(
            stores.measure(postgres_dsn=dsn, reps=sizes.stores_reps, runs=sizes.stores_runs)
        )
    finally:
        stop_started_services()
    if dsn is None:
        found["postgres"] = {"not_measured": why}
    results["stores"] = found


def run_embeddings(sizes: ExtraSizes, results: dict[str, Any]) -> None:
    from benchmarks import embeddings

    _say(f"embeddings: {sizes.embeddings_texts} texts, latency {sizes.embeddings_latency} s")
    with emulator_process("--log-level", "warning") as info:
        if sizes.embeddings_latency:
            configure(info, latency=sizes.embeddings_latency)
        results["embeddings"] = embeddings.measure(info, count=sizes.embeddings_texts)


def run_telemetry(sizes: ExtraSizes, results: dict[str, Any]) -> None:
    from benchmarks import telemetry

    _say(f"telemetry: {sizes.telemetry_blocks} blocks of {sizes.telemetry_runs} runs")
    results["telemetry"] = telemetry.measure(
        blocks=sizes.telemetry_blocks, runs=sizes.telemetry_runs, warmup=sizes.telemetry_warmup
    )


def run_durable(sizes: ExtraSizes, results: dict[str, Any]) -> None:
    from benchmarks import durable

    _say(f"durable: {sizes.durable_runs} runs on Temporal's dev server")
    results["durable"] = durable.measure(runs=sizes.durable_runs, reps=sizes.durable_reps)


def run_serve(sizes: ExtraSizes, results: dict[str, Any]) -> None:
    from benchmarks import serve

    _say(f"serve: {sizes.serve_runs} streamed chats, latency {sizes.latency} s")
    with emulator_process("--log-level", "warning") as info:
        configure(info, latency=sizes.latency)
        results["serve"] = asyncio.run(
            serve.measure(info, latency=sizes.latency, runs=sizes.serve_runs, reps=sizes.serve_reps)
        )


GROUPS: dict[str, Callable[[ExtraSizes, dict[str, Any]], None]] = {
    "stores": run_stores,
    "embeddings": run_embeddings,
    "telemetry": run_telemetry,
    "durable": run_durable,
    "serve": run_serve,
}
"""The groups by name, in the order they run."""

SLOW = frozenset({"durable", "serve"})
"""Groups run only when asked for (``--all`` or ``--only``): minutes each."""


def run_group(name: str, sizes: ExtraSizes, results: dict[str, Any]) -> None:
    """Run one group by name (``KeyError`` for an unknown one)."""
    GROUPS[name](sizes, results)
