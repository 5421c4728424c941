"""The machine and commit a run was made on, the targets, and the readable table."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "GROUP_TARGETS",
    "SCALING_TARGETS",
    "TARGETS",
    "Target",
    "commit",
    "lookup",
    "machine",
    "table",
    "targets",
]

_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Target:
    """One figure of the JSON (a dotted key), its unit and its target (``None``: report)."""

    key: str
    unit: str
    limit: float | None = None
    at_most: bool = True

    def met(self, value: float) -> bool | None:
        """Whether ``value`` meets the target (``None`` when there is none)."""
        if self.limit is None:
            return None
        return value <= self.limit if self.at_most else value >= self.limit

    def describe(self) -> str:
        """The target as text, e.g. ``<= 1.25``."""
        if self.limit is None:
            return "report"
        return f"{'<=' if self.at_most else '>='} {self.limit:g}"


TARGETS = (
    Target("overhead_ratio", "x", 1.25),
    Target("overhead_ratio_async_tool", "x"),
    Target("overhead_ratio_aiohttp", "x"),
    Target("concurrency.efficiency", "", 0.8, at_most=False),
    Target("concurrency.wall_s", "s"),
    Target("concurrency_httpx.efficiency", ""),
    Target("concurrency_httpx.wall_s", "s"),
    Target("memory_per_run_kib", "KiB", 64),
    Target("memory_per_run_kib_httpx", "KiB"),
    Target("stream.per_delta_overhead_us", "us", 20),
    Target("stream.ttft_overhead_ms", "ms", 1),
    Target("import_ms.locus", "ms", 150),
    Target("import_ms.agent", "ms", 60),
    Target("import_ms.asyncio", "ms"),
    Target("import_ms.agent_over_asyncio", "ms"),
    Target("import_ms.seed", "ms"),
    Target("parser_mb_per_s", "MB/s"),
    Target("emulator_rps", "req/s", 1000, at_most=False),
    Target("emulator_cpu_us", "us"),
    Target("cold_model_ms", "ms", 3),
    Target("cold_model.cpu_ms", "ms"),
    Target("cold_model_kib", "KiB", 50),
    Target("history_us_per_message.locus", "us"),
    Target("history_us_per_message.raw", "us"),
    Target("history_us_per_message.ratio", "x", 1.3),
    Target("history_us_per_message.agent", "us"),
    Target("history_us_per_message.agent_ratio", "x", 1.3),
    Target("tool_heavy_ratio", "x", 1.15),
    Target("tool_heavy.cpu_ratio", "x"),
)
"""The figures every run reports (``concurrency_default`` rows come from ``targets``)."""

_STORE_ROWS = tuple(
    Target(f"stores.{store}.{name}", unit)
    for store in ("memory", "sqlite", "postgres")
    for name, unit in (("appends_per_s", "/s"), ("loads_per_s", "/s"), ("run_added_ms", "ms"))
)

GROUP_TARGETS = (
    *_STORE_ROWS,
    Target("embeddings.speedup", "x", 3, at_most=False),
    Target("embeddings.locus_over_raw", "x"),
    Target("telemetry.imported_ratio", "x", 1.01),
    Target("telemetry.instrumented_ratio", "x"),
    Target("durable.runs_per_s_1_worker", "/s"),
    Target("durable.runs_per_s_2_worker", "/s"),
    Target("durable.overhead_ms", "ms"),
    Target("serve.efficiency", "", 0.8, at_most=False),
    Target("serve.agent_only.efficiency", ""),
)
"""The figures of the later groups (issues 18, 23, 21, 19, 22), shown when measured."""

SCALING_TARGETS = {
    500: Target("concurrency_default.500.efficiency", "", 0.85, at_most=False),
    2000: Target("concurrency_default.2000.vs_raw_aiohttp", "x", 0.95, at_most=False),
}
"""The targets of the default-settings scaling runs, by number of concurrent runs."""


def targets(results: dict[str, Any]) -> list[Target]:
    """``TARGETS``, then per size of ``concurrency_default`` (those measured, and outside
    a quick run those with a target) its efficiency, its ratio to bare aiohttp's and bare
    aiohttp's."""
    measured = results.get("concurrency_default") or {}
    wanted = set() if results.get("quick") else set(SCALING_TARGETS)
    sizes = sorted({int(size) for size in measured} | wanted)
    rows = list(TARGETS)
    for size in sizes:
        for name in ("efficiency", "vs_raw_aiohttp", "raw_aiohttp_efficiency"):
            key = f"concurrency_default.{size}.{name}"
            target = SCALING_TARGETS.get(size)
            rows.append(target if target is not None and target.key == key else Target(key, ""))
    rows.extend(t for t in GROUP_TARGETS if t.key.split(".")[0] in results)
    return rows


def lookup(results: dict[str, Any], key: str) -> Any:
    """The value at a dotted ``key`` of ``results`` (``None`` when missing)."""
    value: Any = results
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def machine() -> dict[str, Any]:
    """Cores, Python version, platform and load average (other work disturbs timings)."""
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }


def commit() -> str:
    """The checked-out commit, with ``+dirty`` when the tree has changes (or ``unknown``)."""
    try:
        head = _git("rev-parse", "HEAD")
        dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(_ROOT), *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def table(results: dict[str, Any]) -> str:
    """The figures as an aligned text table: median, min, max, target and verdict."""
    rows = targets(results)
    width = max(len(target.key) for target in rows)
    header = f"{'figure':<{width}} {'median':>10} {'min':>10} {'max':>10}  {'target':<9} ok"
    lines = [header, "-" * len(header)]
    for target in rows:
        value = lookup(results, target.key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = {"median": value, "min": value, "max": value}  # one measurement
        if not isinstance(value, dict):
            lines.append(
                f"{target.key:<{width}} {_missing(results, target):>32}  {target.describe()}"
            )
            continue
        met = target.met(value["median"])
        verdict = "-" if met is None else ("yes" if met else "NO")
        cells = " ".join(f"{value[k]:>10.4g}" for k in ("median", "min", "max"))
        lines.append(f"{target.key:<{width}} {cells}  {target.describe():<9} {verdict}")
    lines.append(f"machine: {results.get('machine')}  commit: {results.get('commit')}")
    return "\n".join(lines) + "\n"


def _missing(results: dict[str, Any], target: Target) -> str:
    """Why a figure has no value: a wave over the time limit, or not measured at all."""
    timed_out = lookup(results, target.key.rpartition(".")[0] + ".timed_out_s")
    if isinstance(timed_out, int | float):
        return f"(a wave took over {timed_out:g} s)"
    why = lookup(results, target.key.rpartition(".")[0] + ".not_measured")
    if isinstance(why, str):
        return f"({why[:60]})"
    return "(not measured)"
