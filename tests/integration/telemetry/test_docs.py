"""docs/observability.md's emulator example runs as written and prints the span tree the
page shows."""

from __future__ import annotations

from pathlib import Path

from ..guardrails.test_docs import run_example

DOC = Path(__file__).resolve().parents[3] / "docs" / "observability.md"


def test_the_observability_example_prints_the_span_tree(tmp_path: Path) -> None:
    printed, expected = run_example(DOC, tmp_path)
    assert printed == expected
