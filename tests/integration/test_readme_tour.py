"""Every ```python block of README.md runs as written, in order, in one session, as the
README says: the first block starts the emulator and the last one stops it.

Each block is executed as it stands (no stubs, no rewriting) in a fresh interpreter, as a new
user's session; a block that raises fails its test. A second test pastes the blocks line by
line into an interactive console, as a new user at the ``python`` prompt does.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
_FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)

# What each section's block prints (a section with a block but no entry here must still run).
_PRINTS = {
    "A DAC in a few lines": ["I am Qwen/Qwen2.5-72B-Instruct"],
    # the usage starts its own line (no stray space before it)
    "Streaming": ["1, 2, 3, 4, 5\n{'prompt_tokens': ", "'completion_tokens': 5", " stop\n"],
    "Tools": ["The result of add_two_numbers is 42. 1\n"],
    "Typed output": ["name='London' country='UK' population=9000000 0\n"],
    "Conversations that last": ["4\n"],
    "Approvals": [
        "awaiting_approval [('refund', {'order_id': 'A17', 'amount': 30})]",
        "The result of refund is refunded 30 EUR on order A17.",
    ],
    "Hooks, OCI guardrails and tracing": [
        "blocked: the user input tripped content_moderation:OVERALL",
        "You said: Say hi to [EMAIL]",
    ],
    "Embeddings, rerank and retrieval": ["The Lisbon office opens at 08:30.\n"],
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


_SESSION = """
import sys, traceback
import httpx
blocks = {blocks!r}
namespace = {{"__name__": "__main__"}}
for index, block in enumerate(blocks):
    print(f"\\n<<<block {{index}}>>>", flush=True)
    try:
        exec(compile(block, f"README.md block {{index}}", "exec"), namespace)
    except BaseException:
        print(f"\\n<<<failed {{index}}>>>", flush=True)
        traceback.print_exc(file=sys.stdout)
        sys.exit(1)
print("\\n<<<end>>>", flush=True)
emu = namespace.get("emu")
try:
    httpx.get(emu.url + "/admin/state", timeout=5)
    print("emulator still running")
    emu.stop()
except httpx.ConnectError:
    print("emulator stopped")
"""


@dataclass(frozen=True, slots=True)
class Tour:
    """What each block printed, and the block that failed (with its traceback), if any."""

    outputs: dict[int, str]
    failed: int | None
    trailer: str


def _tour(folder: Path) -> Tour:
    """Run every block in order in one namespace, in a fresh interpreter (a new user's
    session) in ``folder`` (the blocks write SQLite files), stopping at the first block that
    raises."""
    done = subprocess.run(
        [sys.executable, "-c", _SESSION.format(blocks=[block.source for block in BLOCKS])],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=folder,
        check=False,
    )
    pieces = re.split(r"\n<<<(block|failed) (\d+)>>>\n", done.stdout)
    outputs: dict[int, str] = {}
    failed = None
    for kind, index, text in zip(pieces[1::3], pieces[2::3], pieces[3::3], strict=True):
        if kind == "failed":
            failed = int(index)
            outputs[int(index)] += text
        else:
            outputs[int(index)] = text.split("\n<<<end>>>\n")[0]
    trailer = done.stdout.split("\n<<<end>>>\n")[-1] if failed is None else ""
    return Tour(outputs, failed, trailer + done.stderr)


@pytest.fixture(scope="module")
def tour_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tour")


@pytest.fixture(scope="module")
def tour(tour_folder: Path) -> Tour:
    """The tour run once, in an empty folder."""
    return _tour(tour_folder)


def test_the_readme_has_the_tour_sections() -> None:
    assert {block.section for block in BLOCKS} >= set(_PRINTS)


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=[b.section for b in BLOCKS])
def test_the_block_runs_as_written(tour: Tour, index: int) -> None:
    if tour.failed is not None and tour.failed <= index:
        section = BLOCKS[tour.failed].section
        later = "" if tour.failed == index else f" (so block {index} did not run)"
        raise AssertionError(
            f"README.md block {tour.failed} ({section!r}) raised{later}:\n"
            + tour.outputs[tour.failed]
        )
    out = tour.outputs[index]
    for expected in _PRINTS.get(BLOCKS[index].section, []):
        assert expected in out, (BLOCKS[index].section, out)


def test_the_tour_stops_the_emulator_it_started(tour: Tour) -> None:
    assert tour.failed is None
    assert tour.trailer.strip() == "emulator stopped", tour.trailer


def test_the_tour_prints_the_same_when_run_again_in_the_same_folder(
    tour: Tour, tour_folder: Path
) -> None:
    """A user runs the README twice: the SQLite files of the first run are still there."""
    assert tour.failed is None
    again = _tour(tour_folder)
    assert again.failed is None, again.outputs[again.failed]
    for index, block in enumerate(BLOCKS):
        for expected in _PRINTS.get(block.section, []):
            assert expected in again.outputs[index], (block.section, again.outputs[index])


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


def test_a_user_can_paste_the_blocks_into_the_python_prompt(tmp_path: Path) -> None:
    script = _PASTE.format(blocks=[block.source for block in BLOCKS])
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for expected in (text for texts in _PRINTS.values() for text in texts):
        assert expected in done.stdout, done.stdout
