"""The ```python blocks of the documents below run as written, in order, each document in
one fresh interpreter (as a new user's session) against the emulator the document starts,
and print exactly what their comments say.

A block whose first line is ``# not run: <reason>`` is left out (it needs what a reader
may have and a test cannot, such as a real tenancy); use it sparingly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.stores.services import ROOT

_FENCE = re.compile(r"^```python\n(.*?)^```", re.M | re.S)
NOT_RUN = "# not run:"

_RUN = """
import sys
sys.path.insert(0, {root!r})
blocks = {blocks!r}
namespace = {{"__name__": "__main__"}}
try:
    for index, block in enumerate(blocks):
        exec(compile(block, f"{name} block {{index}}", "exec"), namespace)
finally:
    if "emu" in namespace:
        namespace["emu"].stop()
"""

# The lines each document prints, in order; a pattern stands for a line that differs per run
# (a free port) and must match it whole.
EXPECTED: dict[str, list[str | re.Pattern[str]]] = {
    "auth.md": [
        "INSTANCE_PRINCIPAL",
        "I am meta.llama-3.3-70b-instruct, served by the Locus OCI emulator.",
        "1, 2, 3, 4, 5",
        "PrincipalAuth 1 2",
    ],
    "concepts-transports.md": [
        "aiohttp",
        "50",
        "httpx I am Qwen/Qwen2.5-72B-Instruct, served by the Locus OCI emulator.",
    ],
    "conversations.md": [
        "['My name is Ada.', 'Hello Ada.', 'What is my name?', 'Your name is Ada.']",
        "Blue.",
        "['sys', 'q2', 'a2', 'q3']",
        "['a', 'b', 'c']",
        "['user-42/trip'] {'title': 'Lisbon'}",
        "PostgresThreadStore('postgresql://app:***@127.0.0.1:1/threads')",
        "down, retry later: postgresql://app:***@127.0.0.1:1/threads",
    ],
    "embeddings.md": [
        "2 1536 1536",
        "0 1.0 first passage",
        "1 of 3 embedText batches failed after retries: inputs 96-191 (96 of 200 inputs)",
        "96 96",
    ],
    "emulator.md": [
        re.compile(r"http://127\.0\.0\.1:\d+"),
        "I am openai.gpt-oss-120b, served by the Locus OCI emulator.",
        "I am xai.grok-4, served by the Locus OCI emulator.",
        "ConnectError",
        '{"city": "Paris", "population": 2100000}',
        '{"city": "Paris", "p',
        '{"population": 2100000}',
        "Qwen/Qwen2.5-7B-Instruct",
        "['content_moderation:BLOCKLIST', 'pii:EMPLOYEE_ID']",
        "Badge [EMPLOYEE_ID], frobnicate it",
        "1024 [1.0, 0.5, 0.0]",
        "1 pens in stock: 12",
    ],
    "howto-dac.md": [
        "uk-london-1 https://inference.generativeai.uk-london-1.oci.oraclecloud.com",
        "The result of add_two_numbers is 42.",
        "The result of add_two_numbers is 42. meta.llama-3.3-70b-instruct",
        "True",
    ],
    "performance.md": ["200 The result of add_two_numbers is 42."],
    "toolcalls.md": [
        "'Adding. ' add {'a': 7, 'b': 35}",
        "7 + 35 []",
        "['ReasoningText', 'ReasoningText', 'str', 'str', 'ToolCall']",
        "7 + 35",
        "[]",
    ],
    "troubleshooting.md": [],  # (its block turns the wire log on: lines go to stderr)
    "tools.md": [
        "Book a table.",
        "{'description': 'How many guests.', 'type': 'integer'}",
        "True",
    ],
}


def blocks_to_run(text: str) -> list[str]:
    """The ```python blocks of a document, in order, without the ``# not run:`` ones."""
    return [block for block in _FENCE.findall(text) if not block.startswith(NOT_RUN)]


def _as_expected(lines: list[str], expected: list[str | re.Pattern[str]]) -> list[object]:
    """``lines`` with each line that matches the pattern expected in its place replaced by
    that pattern, so that a comparison with ``expected`` shows every other difference."""
    shown: list[object] = list(lines)
    for index, (line, want) in enumerate(zip(lines, expected, strict=False)):
        if isinstance(want, re.Pattern) and want.fullmatch(line):
            shown[index] = want
    return shown


def _clean_environment() -> dict[str, str]:
    """This process's environment without OCI and Locus settings, as a new user has none."""
    return {
        key: value for key, value in os.environ.items() if not key.startswith(("OCI_", "LOCUS_"))
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_doc_blocks_run_and_print_what_they_say(name: str, tmp_path: Path) -> None:
    blocks = blocks_to_run((ROOT / "docs" / name).read_text(encoding="utf-8"))
    assert blocks, f"docs/{name} has no ```python block to run"
    code = _RUN.format(root=str(ROOT), blocks=blocks, name=name)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,  # files a block writes land here
        env=_clean_environment(),
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert _as_expected(done.stdout.splitlines(), EXPECTED[name]) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_block_left_out_says_why(name: str) -> None:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    for block in _FENCE.findall(text):
        first = block.splitlines()[0] if block else ""
        if first.startswith(NOT_RUN):
            assert len(first[len(NOT_RUN) :].strip()) > 10, f"docs/{name}: {first!r}"


def test_a_not_run_block_is_left_out_and_the_others_kept_in_order() -> None:
    text = (
        "```python\nprint(1)\n```\n"
        "```python\n# not run: needs a real tenancy profile\nprint(2)\n```\n"
        "```console\n$ locus doctor\n```\n"
        "```python\nprint(3)\n```\n"
    )
    assert blocks_to_run(text) == ["print(1)\n", "print(3)\n"]
