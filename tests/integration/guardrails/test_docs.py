"""docs/guardrails.md's emulator example runs as written, in a fresh interpreter, and prints
what the page says it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "guardrails.md"


def run_example(doc: Path, tmp_path: Path) -> tuple[str, str]:
    """The output of ``doc``'s last python block, and the text block the page shows for it."""
    text = doc.read_text("utf-8")
    code = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)[-1]
    shown = text.split(code, 1)[1]
    expected = re.findall(r"```text\n(.*?)```", shown, flags=re.DOTALL)[0]
    script = tmp_path / "example.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, expected


def test_the_guardrails_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    printed, expected = run_example(DOC, tmp_path)
    assert printed == expected
