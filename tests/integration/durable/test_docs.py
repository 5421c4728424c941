"""The ```python blocks of docs/durable.md run as written against the test Temporal server
(``TEMPORAL_ADDRESS``) and the emulator, and print what their comments say. The first
block (a fragment with a top-level ``await``) is only compiled; the MCP example runs with
the tools module of the block before it beside it; the sub-agent example approves its
clerk's call; the deps example runs two users' runs on one worker."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.integration.stores.services import ROOT

EXPECTED = [
    "The result of stock is 12.",
    "refund {'amount': 30, 'order_id': 'A17'}",
    "The result of refund is refunded 30 EUR on order A17.",
]


def blocks() -> list[str]:
    text = (ROOT / "docs" / "durable.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)


def test_the_fragment_compiles() -> None:
    compile(blocks()[0], "durable.md block 0", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def test_the_example_runs_and_prints_what_it_says(temporal_address: str, tmp_path: Path) -> None:
    assert run_example(blocks()[1], temporal_address, tmp_path) == EXPECTED


def test_the_mcp_example_runs_and_prints_what_it_says(
    temporal_address: str, tmp_path: Path
) -> None:
    tools, example = blocks()[2:4]
    (tmp_path / "warehouse.py").write_text(tools, encoding="utf-8")
    assert run_example(example, temporal_address, tmp_path) == ["The result of wh_stock is 12."]


def run_example(example: str, temporal_address: str, tmp_path: Path) -> list[str]:
    """What ``example`` prints, run in a fresh interpreter in ``tmp_path``."""
    done = subprocess.run(
        [sys.executable, "-c", f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n{example}"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        env={**os.environ, "TEMPORAL_ADDRESS": temporal_address},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # (not what the example prints: Temporal's core warns on stdout when the machine is
    # slow, "[TMPRL1104] ... Workflow task duration exceeded 5 seconds")
    return [line for line in done.stdout.splitlines() if "[TMPRL" not in line]


def test_the_sub_agent_example_runs_and_prints_what_it_says(
    temporal_address: str, tmp_path: Path
) -> None:
    assert run_example(blocks()[4], temporal_address, tmp_path) == [
        "refund ('clerk',) 1",
        "The result of clerk is The result of refund is refunded order A17.",
        "1",
        "clerk refund",
    ]


def test_the_deps_example_runs_and_prints_what_it_says(
    temporal_address: str, tmp_path: Path
) -> None:
    assert run_example(blocks()[5], temporal_address, tmp_path) == [
        "The result of my_orders is A17, A18.",
        "The result of my_orders is B2.",
        "The result of my_orders is B2.",
    ]
