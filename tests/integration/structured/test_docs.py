"""The ```python blocks of docs/structured-output.md before "## Agents" (the model level
and the emulator) run as written, in order, in one fresh interpreter."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "structured-output.md"

_RUN = """
blocks = {blocks!r}
namespace = {{"__name__": "__main__"}}
try:
    for index, block in enumerate(blocks):
        exec(compile(block, f"docs/structured-output.md block {{index}}", "exec"), namespace)
finally:
    if "emu" in namespace:
        namespace["emu"].stop()
"""


def test_model_level_and_emulator_blocks_run_and_print_what_they_say() -> None:
    text = DOCS.read_text(encoding="utf-8").split("\n## Agents")[0]
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)
    assert len(blocks) == 3
    done = subprocess.run(
        [sys.executable, "-c", _RUN.format(blocks=blocks)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "name='Paris' population=2100000",
        "name='Lyon' population=520000",
        "None Invalid JSON",
        "name='Paris' population=2100000",
    ]
