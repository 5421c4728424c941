"""Every ```python block of README.md runs as written, in order, in one session, as the
README says: the first block starts the emulator and the last one stops it.

Each block is executed as it stands (no stubs, no rewriting); a block that raises fails its
test. A second test pastes the blocks line by line into an interactive console in a fresh
interpreter, as a new user does.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from locus.emulator import Emulator
from tests.conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
_FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)

# What each section's block prints (a section with a block but no entry here must still run).
_PRINTS = {
    "A DAC in a few lines": ["I am Qwen/Qwen2.5-72B-Instruct"],
    "Streaming": ["1, 2, 3, 4, 5\n", "'completion_tokens': 5", " stop\n"],
    "Tools": ["The result of add_two_numbers is 42. 1\n"],
    "Test your agent offline": ["The result of add_two_numbers is 42. {'503': 1}\n"],
}


@dataclass(frozen=True, slots=True)
class Block:
    """A ```python block and the ``##`` section it stands in."""

    section: str
    source: str


def _blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in _FENCE.finditer(text):
        headings = re.findall(r"^## (.+)$", text[: match.start()], re.MULTILINE)
        blocks.append(Block(headings[-1] if headings else "", match.group(1)))
    return blocks


BLOCKS = _blocks()


@dataclass(slots=True)
class Tour:
    """The blocks run so far: their output, and the first one that failed."""

    namespace: dict[str, Any] = field(default_factory=lambda: {"__name__": "__main__"})
    outputs: dict[int, str] = field(default_factory=dict)
    failure: tuple[int, BaseException] | None = None


@pytest.fixture(scope="module")
def tour() -> Iterator[Tour]:
    """Run every block in order in one namespace (stopping at the first that raises)."""
    tour = Tour()
    for index, block in enumerate(BLOCKS):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.source, f"README.md block {index}", "exec"), tour.namespace)
        except Exception as exc:
            tour.failure = (index, exc)
            break
        finally:
            tour.outputs[index] = out.getvalue()
    yield tour
    emu = tour.namespace.get("emu")
    if isinstance(emu, Emulator):
        emu.stop()


def test_the_readme_has_the_tour_sections() -> None:
    assert {block.section for block in BLOCKS} >= set(_PRINTS)


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=[b.section for b in BLOCKS])
def test_the_block_runs_as_written(tour: Tour, index: int) -> None:
    if tour.failure is not None and tour.failure[0] <= index:
        failed, exc = tour.failure
        raise AssertionError(
            f"README.md block {failed} ({BLOCKS[failed].section!r}) raised "
            f"{type(exc).__name__}: {exc}"
            + ("" if failed == index else f"; block {index} did not run")
        ) from exc
    out = tour.outputs[index]
    for expected in _PRINTS.get(BLOCKS[index].section, []):
        assert expected in out, (BLOCKS[index].section, out)


def test_the_tour_stops_the_emulator_it_started(tour: Tour) -> None:
    assert tour.failure is None
    emu = tour.namespace["emu"]
    assert isinstance(emu, Emulator)
    with pytest.raises(httpx.ConnectError):
        httpx.get(emu.url + "/admin/state", timeout=5)


_PASTE = """
import code, sys
blocks = {blocks!r}
errors = []
class Console(code.InteractiveConsole):
    def showtraceback(self):
        errors.append(sys.exc_info()[1])
        super().showtraceback()
    def showsyntaxerror(self, filename=None, **kwargs):
        errors.append(sys.exc_info()[1])
        super().showsyntaxerror(filename, **kwargs)
console = Console()
for block in blocks:
    more = False
    for line in block.splitlines():
        more = console.push(line)
    if more:
        console.push("")
sys.exit(1 if errors else 0)
"""


def test_a_user_can_paste_the_blocks_into_the_python_prompt() -> None:
    script = _PASTE.format(blocks=[block.source for block in BLOCKS])
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for expected in (text for texts in _PRINTS.values() for text in texts):
        assert expected in done.stdout, done.stdout
