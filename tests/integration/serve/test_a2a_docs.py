"""The A2A example of docs/serving.md runs as written and prints what its comments say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "serving.md"


def test_the_a2a_example_runs_and_prints_what_it_says(capsys: pytest.CaptureFixture[str]) -> None:
    text = DOC.read_text("utf-8")
    block = re.findall(r"\n## A2A\n.*?```python\n(.*?)```", text, re.S)[0]
    said = re.findall(r"^asyncio\.run\(.*?\)\n((?:# .*\n)+)", block, re.M)[0]
    expected = [line.removeprefix("# ") for line in said.splitlines()]
    exec(compile(block, str(DOC), "exec"), {"__name__": "serving_a2a_doc"})
    assert capsys.readouterr().out.splitlines() == expected
    assert expected == [
        "tool call: add_two_numbers",
        "The result of add_two_numbers is 42.",
        "TASK_STATE_COMPLETED",
    ]
