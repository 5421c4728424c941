"""``benchmarks.telemetry.measure`` runs its three states and leaves telemetry as it was."""

from __future__ import annotations

import sys

from benchmarks.telemetry import measure

from locus import telemetry


def test_measure_reports_each_state_and_restores_the_module() -> None:
    figures = measure(blocks=2, runs=3, warmup=1)
    assert set(figures) == {
        "imported_ratio",
        "instrumented_ratio",
        "absent_us",
        "imported_us",
        "instrumented_us",
        "spans_per_run",
    }
    for key in ("imported_ratio", "instrumented_ratio", "absent_us", "instrumented_us"):
        assert 0 < figures[key]["min"] <= figures[key]["median"] <= figures[key]["max"]
    assert sys.modules["locus.telemetry"] is telemetry
    assert not telemetry.is_instrumented()
