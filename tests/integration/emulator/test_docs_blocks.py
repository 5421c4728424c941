"""The ```python blocks of docs/emulator.md run as written, in order, in one fresh interpreter:
the first starts the emulator, the others use it (the official SDK, the openai client, faults).
"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "emulator.md"

_RUN = """
import sys
blocks = {blocks!r}
namespace = {{"__name__": "__main__"}}
try:
    for index, block in enumerate(blocks):
        print(f"--- block {{index}}", flush=True)
        exec(compile(block, f"docs/emulator.md block {{index}}", "exec"), namespace)
finally:
    if "emu" in namespace:
        namespace["emu"].stop()
"""


def test_every_python_block_of_the_emulator_page_runs_in_order() -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", DOCS.read_text(encoding="utf-8"), re.M | re.S)
    assert len(blocks) >= 6
    done = subprocess.run(
        [sys.executable, "-c", _RUN.format(blocks=blocks)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout.split("--- block ")
    assert re.search(r"^0\nhttp://127\.0\.0\.1:\d+\n$", out[1])
    assert "I am openai.gpt-oss-120b" in out[2]
    assert any(part.endswith("\nConnectError\n") for part in out), done.stdout
