"""The benchmark harness runs on tiny sizes and reports what it should (never timings)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from benchmarks import concurrency, overhead, stream
from benchmarks._emulator_proc import configure
from benchmarks._report import TARGETS, lookup, table
from benchmarks._scenario import RawClient, capture_bodies
from benchmarks._stats import figure, repeat, summary

from locus.emulator import Emulator

FIGURE_KEYS = {"median", "min", "max"}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """One emulator with the streaming rules file (other prompts get scripted answers)."""
    rules = stream.write_rules(tmp_path_factory.mktemp("rules") / "rules.json", deltas=50)
    with Emulator(rules=rules) as emu:
        yield emu


@pytest.fixture
def info(emulator: Emulator) -> Iterator[dict[str, Any]]:
    yield emulator.info
    emulator.reset()


def test_summary_and_figure() -> None:
    assert summary([3.0, 1.0, 2.0]) == {"median": 2.0, "min": 1.0, "max": 3.0}
    assert figure([0.0015, 0.0025], scale=1000.0, digits=1) == {
        "median": 2.0,
        "min": 1.5,
        "max": 2.5,
    }


async def test_repeat_runs_warmup_unmeasured() -> None:
    calls: list[int] = []

    async def once() -> float:
        calls.append(len(calls))
        return float(len(calls))

    assert await repeat(once, warmup=2, reps=3) == [3.0, 4.0, 5.0]
    assert len(calls) == 5


def test_table_marks_targets_and_missing_figures() -> None:
    results = {
        "overhead_ratio": {"median": 1.1, "min": 1.0, "max": 1.2},
        "emulator_rps": {"median": 900.0, "min": 800.0, "max": 950.0},
        "concurrency": {"runs": 500},
    }
    text = table(results)
    rows = {line.split()[0]: line for line in text.splitlines()[2:-1]}
    assert rows["overhead_ratio"].endswith("yes")
    assert rows["emulator_rps"].endswith("NO")
    assert "(not measured)" in rows["stream.ttft_overhead_ms"]
    assert lookup(results, "concurrency.runs") == 500
    assert lookup(results, "concurrency.efficiency") is None
    assert {t.key.split(".")[0] for t in TARGETS} >= {"overhead_ratio", "stream", "import_ms"}


async def test_agent_run_makes_two_signed_calls_and_raw_client_replays_them(
    info: dict[str, Any],
) -> None:
    bodies = await capture_bodies(info)
    assert [json.loads(b)["chatRequest"]["isStream"] for b in bodies] == [True, True]
    raw = RawClient(info)
    try:
        answers = [await raw.post(body) for body in bodies]
    finally:
        await raw.aclose()
    assert b"add_two_numbers" in answers[0]
    assert b"42" in answers[1]


async def test_overhead_reports_ratio_and_both_sides(info: dict[str, Any]) -> None:
    found = await overhead.measure(info, blocks=2, runs=2, warmup=1)
    assert set(found) == {"ratio", "agent_ms", "raw_ms"}
    assert all(set(value) == FIGURE_KEYS for value in found.values())
    assert found["ratio"]["min"] > 0


async def test_concurrency_and_memory_on_a_few_runs(info: dict[str, Any]) -> None:
    configure(info, latency=0.05)
    found = await concurrency.measure(info, latency=0.05, runs=5, reps=1, warmup=0)
    assert found["runs"] == 5
    assert set(found["efficiency"]) == set(found["wall_s"]) == FIGURE_KEYS
    assert found["wall_s"]["min"] >= 0.1  # two calls, each after the emulator's latency
    memory = await concurrency.measure_memory(info, runs=5, reps=1)
    assert memory["median"] > 0
    raw = await concurrency.measure_raw(info, latency=0.05, runs=5, reps=1)
    assert raw["wall_s"]["min"] >= 0.1


async def test_stream_reads_every_delta_both_ways(info: dict[str, Any]) -> None:
    found = await stream.measure(info, deltas=50, reps=1, ttft_reps=2, warmup=0)
    assert set(found) == {"per_delta_overhead_us", "ttft_overhead_ms", "per_delta_wall_us"}
    assert all(set(value) == FIGURE_KEYS for value in found.values())


async def test_stream_refuses_a_wrong_delta_count(info: dict[str, Any]) -> None:
    with pytest.raises(RuntimeError, match="deltas"):
        await stream.measure(info, deltas=51, reps=1, warmup=0)


def test_rules_file_scripts_the_long_answer(tmp_path: Path) -> None:
    path = stream.write_rules(tmp_path / "rules.json", deltas=3)
    rule = json.loads(path.read_text())["rules"][0]
    assert rule["when"] == {"contains": stream.MARKER}
    assert rule["reply"]["text"].split() == ["tok"] * 3
    assert stream.MARKER in stream.PROMPT and stream.MARKER not in stream.SHORT_PROMPT


@pytest.mark.slow
def test_quick_run_writes_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.__main__ import main

    assert main(["--quick", "--json", str(tmp_path / "out.json")]) == 0
    results = json.loads((tmp_path / "out.json").read_text())
    for target in TARGETS:
        assert set(lookup(results, target.key)) == FIGURE_KEYS, target.key
    assert results["concurrency"]["runs"] == 50
    assert results["machine"]["cores"] >= 1 and results["commit"]
    assert "overhead_ratio" in capsys.readouterr().out
