"""The emulator example of docs/serving.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "serving.md"


def test_the_emulator_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    text = DOC.read_text("utf-8")
    block = re.findall(r"## Try it against the emulator.*?```python\n(.*?)```", text, re.S)[0]
    exec(compile(block, str(DOC), "exec"), {"__name__": "serving_doc"})
    assert "The result of add_two_numbers is 42." in capsys.readouterr().out
