"""``python -m benchmarks [--quick] [--json FILE] [--scaling-sizes N,N] [--all | --only
NAME,...]``: run the benchmarks, print a table.

The emulator runs in separate processes (one plain, one with the streaming rules file,
one with the tool-heavy rules script, one per later group), so that client and server
never share an event loop. Import times and the parser are measured first, with no
emulator running. Groups: imports, parser, plain (emulator_rps, overhead, cold model,
history, concurrency, memory), stream, tool_heavy, stores, embeddings, telemetry run by
default; durable and serve (minutes each) with ``--all`` or ``--only``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks import (
    cold_model,
    concurrency,
    emulator_rps,
    history,
    imports,
    overhead,
    parser_throughput,
    stream,
    tool_heavy,
)
from benchmarks._emulator_proc import configure, emulator_process
from benchmarks._extras import GROUPS, SLOW, run_group
from benchmarks._report import commit, machine, table
from benchmarks._stats import figure

__all__ = ["CORE", "DEFAULT", "FULL", "NAMES", "QUICK", "Sizes", "main", "run"]

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
    decode_reps: int = 15
    decode_inner: int = 200
    ttft_reps: int = 50
    raw_concurrency_reps: int = 1
    cold_reps: int = 50
    cold_warmup: int = 5
    cold_models: int = 50
    cold_memory_reps: int = 3
    history_messages: int = 1000
    history_reps: int = 20
    tool_blocks: int = 5
    tool_runs: int = 10
    tool_warmup: int = 3
    scaling_sizes: tuple[int, ...] = (100, 500, 2000)
    scaling_reps: int = 3
    wave_timeout: float = 120.0
    stores_reps: int = 300
    stores_runs: int = 200
    embeddings_texts: int = 10_000
    embeddings_latency: float = 0.1
    telemetry_blocks: int = 15
    telemetry_runs: int = 300
    telemetry_warmup: int = 100
    durable_runs: int = 100
    durable_reps: int = 20
    serve_runs: int = 500
    serve_reps: int = 3


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
    decode_reps=2,
    decode_inner=10,
    ttft_reps=5,
    raw_concurrency_reps=1,
    cold_reps=5,
    cold_warmup=1,
    cold_models=5,
    cold_memory_reps=1,
    history_messages=100,
    history_reps=3,
    tool_blocks=1,
    tool_runs=2,
    tool_warmup=1,
    scaling_sizes=(10, 40),
    scaling_reps=1,
    wave_timeout=30.0,
    stores_reps=20,
    stores_runs=10,
    embeddings_texts=500,
    embeddings_latency=0.02,
    telemetry_blocks=2,
    telemetry_runs=20,
    telemetry_warmup=5,
    durable_runs=5,
    durable_reps=2,
    serve_runs=20,
    serve_reps=1,
)

CORE = ("imports", "parser", "plain", "stream", "tool_heavy")
"""The groups of issues 7 and 16 (the emulator's figures), in the order they run."""
NAMES = (*CORE, *GROUPS)
DEFAULT = tuple(name for name in NAMES if name not in SLOW)


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def _parser(sizes: Sizes) -> dict[str, float]:
    rates = []
    for _ in range(sizes.parser_reps):
        rows = parser_throughput.measure(sizes=(sizes.parser_chars,))
        rates.append(rows[sizes.parser_chars]["streamed_mb_s"])
    return figure(rates, digits=2)


def _rps(info: dict[str, Any], sizes: Sizes, results: dict[str, Any]) -> None:
    rates, cpu = [], []
    for _ in range(sizes.rps_reps):
        row = emulator_rps.measure(info, seconds=sizes.rps_seconds, pid=info.get("pid"))
        if row["errors"]:
            raise RuntimeError(f"emulator_rps saw {row['errors']} failed requests")
        rates.append(row["rps"])
        if row.get("emulator_cpu_us") is not None:
            cpu.append(row["emulator_cpu_us"])
    results["emulator_rps"] = figure(rates, digits=1)
    if cpu:
        results["emulator_cpu_us"] = figure(cpu, digits=1)


def _with_plain_emulator(sizes: Sizes, results: dict[str, Any]) -> None:
    with emulator_process(*_EMULATOR_ARGS) as info:
        _unpaced(info, sizes, results)
        configure(info, latency=sizes.latency)
        _paced(info, sizes, results)


def _unpaced(info: dict[str, Any], sizes: Sizes, results: dict[str, Any]) -> None:
    """The figures measured with the emulator answering at once."""
    _say("emulator_rps")
    _rps(info, sizes, results)
    _overhead(info, sizes, results)
    _cold_model(info, sizes, results)
    _say(f"history_us_per_message: {sizes.history_messages} messages")
    found = asyncio.run(
        history.measure(info, messages=sizes.history_messages, reps=sizes.history_reps)
    )
    results["history_us_per_message"] = found
    _say(f"  body {found['body_kib']} KiB")


def _overhead(info: dict[str, Any], sizes: Sizes, results: dict[str, Any]) -> None:
    for key, options in (
        ("overhead_ratio", {}),
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
        results[f"{key}_cpu"] = found["cpu_ratio"]  # process CPU: steadier on a shared machine
        _say(f"  agent run {found['agent_ms']} ms, raw pair {found['raw_ms']} ms")


def _cold_model(info: dict[str, Any], sizes: Sizes, results: dict[str, Any]) -> None:
    _say("cold_model_ms")
    found = asyncio.run(cold_model.measure(info, reps=sizes.cold_reps, warmup=sizes.cold_warmup))
    results["cold_model_ms"] = found.pop("ms")
    results["cold_model"] = found
    _say(f"  cold {found['cold_ms']} ms, warm {found['warm_ms']} ms, close {found['close_ms']} ms")
    _say(f"  cold minus warm in CPU time {found['cpu_ms']} ms")
    _say(f"cold_model_kib: {sizes.cold_models} models kept")
    results["cold_model_kib"] = asyncio.run(
        cold_model.measure_memory(info, models=sizes.cold_models, reps=sizes.cold_memory_reps)
    )


def _paced(info: dict[str, Any], sizes: Sizes, results: dict[str, Any]) -> None:
    """The figures measured with the emulator answering after ``sizes.latency``."""
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
    _say(f"concurrency_default: {sizes.scaling_sizes} runs, default model settings")
    results["concurrency_default"] = asyncio.run(
        concurrency.scaling(
            info,
            latency=sizes.latency,
            sizes=sizes.scaling_sizes,
            reps=sizes.scaling_reps,
            wave_timeout=sizes.wave_timeout,
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
    _say("stream.decode_cpu_us: CPU per recorded answer (reader, decoder, text parser)")
    results["stream"]["decode_cpu_us"] = stream.decode_cpu(
        reps=sizes.decode_reps, inner=sizes.decode_inner
    )


def _with_tool_emulator(sizes: Sizes, results: dict[str, Any]) -> None:
    counts = {"blocks": sizes.tool_blocks, "runs": sizes.tool_runs, "warmup": sizes.tool_warmup}
    with tempfile.TemporaryDirectory(prefix="locus-bench-rules-") as folder:
        script = Path(folder) / "rules.json"
        tool_heavy.write_rules(script, tool_heavy.sequences_needed(**counts))
        with emulator_process("--rules", str(script), *_EMULATOR_ARGS) as info:
            _say(f"tool_heavy_ratio: {sizes.tool_blocks} blocks of {sizes.tool_runs} runs")
            found = asyncio.run(tool_heavy.measure(info, **counts))
            results["tool_heavy_ratio"] = found.pop("ratio")
            results["tool_heavy"] = found
            _say(f"  agent run {found['agent_ms']} ms, raw sequence {found['raw_ms']} ms")


def _imports(sizes: Sizes, results: dict[str, Any]) -> None:
    _say("import_ms")
    results["import_ms"] = imports.measure(reps=sizes.import_reps)


def _parser_group(sizes: Sizes, results: dict[str, Any]) -> None:
    _say("parser_mb_per_s")
    results["parser_mb_per_s"] = _parser(sizes)


_CORE_RUNS = {
    "imports": _imports,
    "parser": _parser_group,
    "plain": _with_plain_emulator,
    "stream": _with_stream_emulator,
    "tool_heavy": _with_tool_emulator,
}


def run(sizes: Sizes, *, quick: bool = False, groups: Sequence[str] = DEFAULT) -> dict[str, Any]:
    """Run the named ``groups`` (in ``NAMES`` order); the results as the JSON document."""
    unknown = sorted(set(groups) - set(NAMES))
    if unknown:
        raise ValueError(f"unknown benchmark groups {unknown}; known: {', '.join(NAMES)}")
    results: dict[str, Any] = {}
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    for name in NAMES:
        if name not in groups:
            continue
        if name in _CORE_RUNS:
            _CORE_RUNS[name](sizes, results)
        else:
            run_group(name, sizes, results)
    results["groups"] = [name for name in NAMES if name in groups]
    results["machine"] = machine() | {"load_avg_start": load_at_start}
    results["commit"] = commit()
    results["quick"] = quick
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run, print the table and write the JSON file if asked."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    parser.add_argument("--quick", action="store_true", help="small sizes: a fast smoke run")
    parser.add_argument(
        "--scaling-sizes",
        type=_sizes,
        help="concurrent runs of the default-settings scaling waves, e.g. 100,500 "
        "(default 100,500,2000; --quick: 10,40)",
    )
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument(
        "--all", action="store_true", help=f"also the slow groups ({', '.join(sorted(SLOW))})"
    )
    chosen.add_argument(
        "--only", type=_names, help=f"only these groups, e.g. stores,serve ({', '.join(NAMES)})"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.scaling_sizes:
        sizes = replace(sizes, scaling_sizes=args.scaling_sizes)
    groups = args.only or (NAMES if args.all else DEFAULT)
    results = run(sizes, quick=args.quick, groups=groups)
    sys.stdout.write(table(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        _say(f"wrote {args.json}")
    return 0


def _names(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in NAMES]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"expected group names separated by commas from {', '.join(NAMES)}, not {text!r}"
        )
    return names


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, not {text!r}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected positive numbers, not {text!r}")
    return sizes


if __name__ == "__main__":
    sys.exit(main())
