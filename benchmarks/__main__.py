"""``python -m benchmarks [--quick] [--json FILE]``: run every benchmark, print a table.

The emulator runs in separate processes (one plain, one with the streaming rules
file), so that client and server never share an event loop. Import times and the
parser are measured first, with no emulator running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import concurrency, emulator_rps, imports, overhead, parser_throughput, stream
from benchmarks._emulator_proc import configure, emulator_process
from benchmarks._report import commit, machine, table
from benchmarks._stats import figure

__all__ = ["FULL", "QUICK", "Sizes", "main", "run"]

_EMULATOR_ARGS = ("--log-level", "warning")


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much of each benchmark to run."""

    import_reps: int = 10
    parser_chars: int = 1_000_000
    parser_reps: int = 5
    rps_seconds: float = 2.0
    rps_reps: int = 3
    overhead_blocks: int = 5
    overhead_runs: int = 100
    latency: float = 1.0
    runs: int = 500
    concurrency_reps: int = 5
    memory_reps: int = 2
    deltas: int = 10_000
    stream_reps: int = 5
    ttft_reps: int = 50
    raw_concurrency_reps: int = 1


FULL = Sizes()
QUICK = Sizes(
    import_reps=3,
    parser_chars=100_000,
    parser_reps=2,
    rps_seconds=0.5,
    rps_reps=2,
    overhead_blocks=2,
    overhead_runs=10,
    latency=0.2,
    runs=50,
    concurrency_reps=1,
    memory_reps=1,
    deltas=1_000,
    stream_reps=2,
    ttft_reps=5,
    raw_concurrency_reps=1,
)


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def _parser(sizes: Sizes) -> dict[str, float]:
    rates = []
    for _ in range(sizes.parser_reps):
        rows = parser_throughput.measure(sizes=(sizes.parser_chars,))
        rates.append(rows[sizes.parser_chars]["streamed_mb_s"])
    return figure(rates, digits=2)


def _rps(info: dict[str, Any], sizes: Sizes) -> dict[str, float]:
    rates = []
    for _ in range(sizes.rps_reps):
        row = emulator_rps.measure(info, seconds=sizes.rps_seconds)
        if row["errors"]:
            raise RuntimeError(f"emulator_rps saw {row['errors']} failed requests")
        rates.append(row["rps"])
    return figure(rates, digits=1)


def _with_plain_emulator(sizes: Sizes, results: dict[str, Any]) -> None:
    with emulator_process(*_EMULATOR_ARGS) as info:
        _say("emulator_rps")
        results["emulator_rps"] = _rps(info, sizes)
        _say("overhead_ratio")
        found = asyncio.run(
            overhead.measure(info, blocks=sizes.overhead_blocks, runs=sizes.overhead_runs)
        )
        results["overhead_ratio"] = found["ratio"]
        _say(f"  agent run {found['agent_ms']} ms, raw pair {found['raw_ms']} ms")
        for key, options in (
            ("overhead_ratio_async_tool", {"async_tool": True}),
            ("overhead_ratio_aiohttp", {"backend": "aiohttp"}),
        ):
            _say(key)
            found = asyncio.run(
                overhead.measure(
                    info, blocks=sizes.overhead_blocks, runs=sizes.overhead_runs, **options
                )
            )
            results[key] = found["ratio"]
            _say(f"  agent run {found['agent_ms']} ms, raw pair {found['raw_ms']} ms")
        configure(info, latency=sizes.latency)
        for key, backend in (("concurrency", "aiohttp"), ("concurrency_httpx", "httpx")):
            _say(f"{key}: {sizes.runs} runs, latency {sizes.latency} s, {backend} backend")
            results[key] = asyncio.run(
                concurrency.measure(
                    info,
                    latency=sizes.latency,
                    runs=sizes.runs,
                    reps=sizes.concurrency_reps,
                    backend=backend,
                )
            )
        raw = asyncio.run(
            concurrency.measure_raw(
                info, latency=sizes.latency, runs=sizes.runs, reps=sizes.raw_concurrency_reps
            )
        )
        _say(f"  raw-HTTP limit of the same waves: {raw}")
        for key, backend in (
            ("memory_per_run_kib", "aiohttp"),
            ("memory_per_run_kib_httpx", "httpx"),
        ):
            _say(f"{key} ({backend} backend)")
            results[key] = asyncio.run(
                concurrency.measure_memory(
                    info, runs=sizes.runs, reps=sizes.memory_reps, backend=backend
                )
            )


def _with_stream_emulator(sizes: Sizes, results: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory(prefix="locus-bench-rules-") as folder:
        rules = stream.write_rules(Path(folder) / "rules.json", sizes.deltas)
        with emulator_process("--rules", str(rules), *_EMULATOR_ARGS) as info:
            _say(f"stream: {sizes.deltas} deltas")
            found = asyncio.run(
                stream.measure(
                    info, deltas=sizes.deltas, reps=sizes.stream_reps, ttft_reps=sizes.ttft_reps
                )
            )
            _say(f"  per-delta overhead in wall time: {found.pop('per_delta_wall_us')} us")
            results["stream"] = found


def run(sizes: Sizes, *, quick: bool = False) -> dict[str, Any]:
    """Run every benchmark; the results as the JSON document (keys of issue 7)."""
    results: dict[str, Any] = {}
    _say("import_ms")
    results["import_ms"] = imports.measure(reps=sizes.import_reps)
    _say("parser_mb_per_s")
    results["parser_mb_per_s"] = _parser(sizes)
    _with_plain_emulator(sizes, results)
    _with_stream_emulator(sizes, results)
    results["machine"] = machine()
    results["commit"] = commit()
    results["quick"] = quick
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run, print the table and write the JSON file if asked."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--quick", action="store_true", help="small sizes: a fast smoke run")
    args = parser.parse_args(argv)
    results = run(QUICK if args.quick else FULL, quick=args.quick)
    sys.stdout.write(table(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        _say(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
