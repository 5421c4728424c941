"""docs/rag.md's end-to-end example runs as written, in a fresh interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "rag.md"


def test_the_rag_example_runs_and_the_agent_quotes_the_right_document(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), flags=re.DOTALL)
    script = tmp_path / "rag_example.py"  # (the first block; the others: test_doc_blocks)
    script.write_text(blocks[0])
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("doc-0 0.") and lines[0].endswith(
        "The Lisbon office opens at 08:30 and closes at 18:00."
    )
    assert lines[1:] == [
        "From the handbook: [1] (id doc-0, score 1.000)",
        "The Lisbon office opens at 08:30 and closes at 18:00.",
    ]
