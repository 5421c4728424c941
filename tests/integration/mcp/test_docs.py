"""docs/mcp.md's example runs as written, in a fresh interpreter, with its tools module
beside it (``locus mcp serve`` as a subprocess, an agent on the emulator's DAC)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "mcp.md"


def test_the_mcp_example_runs_and_prints_what_the_doc_says(tmp_path: Path) -> None:
    text = DOC.read_text("utf-8")
    tools, example = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    (tmp_path / "shop_tools.py").write_text(tools)
    (tmp_path / "example.py").write_text(example)
    done = subprocess.run(
        [sys.executable, "example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    printed = text.rsplit("It prints:\n\n```\n", 1)[1].split("```", 1)[0]
    assert done.stdout == printed
