"""The ```python blocks of the documents below run as written, in order, each document in
one fresh interpreter (as a new user's session) against the emulator the document starts,
and print exactly what their comments say.

A block whose first line is ``# not run: <reason>`` is left out (it needs what a reader
may have and a test cannot, such as a real tenancy); use it sparingly.

A block whose first line is ``# file: <name>`` is a file the reader saves (a module the
other blocks import, a ``conftest.py``, a test module): it is written, whole, into the
folder the document's blocks run in, before they run, and is not run itself. When a
document has ``test_*.py`` files, pytest runs them there, in a process of its own, and
every test function in them must pass.
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
_TEST_FUNCTION = re.compile(r"^(?:async )?def test_", re.M)
NOT_RUN = "# not run:"
FILE = "# file: "

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

_NOT_AN_INT = "Input should be a valid integer, unable to parse string as an integer"

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
        "I am Qwen/Qwen2.5-72B-Instruct, served by the Locus OCI emulator.",
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
    "evals.md": [
        "weather: qwen-dac",
        "case      status  checks  tokens  output",
        "--------  ------  ------  ------  " + "-" * 65,
        "paris     passed  3/3     72      The result of forecast is Sunny in Paris.",
        "lisbon    passed  3/3     70      The result of sunrise is 06:50 in Lisbon.",
        "identity  passed  2/2     36      I am "
        "Qwen/Qwen2.5-72B-Instruct, served by the Locus OCI emulator.",
        "3 cases: 3 passed, 0 failed, 0 errored; pass rate 100.0%; 178 tokens",
        "evaluator               held    mean score",
        "----------------------  ------  " + "-" * 10,
        "MaxTokens(100)          100.0%",
        "ToolCalled('forecast')  100.0%",
        "Contains('Sunny')       100.0%",
        "ToolCalled('sunrise')   100.0%",
        "Contains('06:50')       100.0%",
        "Contains('Qwen')        100.0%",
        "1.0 178",
        "passed 72 1",
        "EvaluatorOutcome(name=\"ToolCalled('forecast')\", value=True, reason=None, error=None)",
        "[]",
        "hi passed HI! None",
        "bye failed BYE! None",
        "empty errored None ValueError: nothing to shout",
        "'BYE!' != 'BYE'",
        "{'excited': 0.5}",
        "paris True It answers with what the tool found.",
        "lisbon True It answers with what the tool found.",
        "identity False It talks about itself, not the weather.",
        "weather: qwen-dac -> gpt-oss-dac",
        "pass rate 100.0% -> 66.7%; tokens 178 -> 178; 1 changed, 2 unchanged",
        "case      before  after   what changed",
        "--------  ------  ------  " + "-" * 31,
        "identity  passed  failed  Contains('Qwen'): True -> False",
        "['identity']",
        "['paris', 'lisbon', 'identity'] [MaxTokens(limit=100)]",
        "{'evaluator': 'ToolCalled', 'tool': 'forecast', 'arguments': {'city': 'Paris'}}",
        "['identity']",
    ],
    "howto-dac.md": [
        "uk-london-1 https://inference.generativeai.uk-london-1.oci.oraclecloud.com",
        "The result of add_two_numbers is 42.",
        "The result of add_two_numbers is 42. meta.llama-3.3-70b-instruct",
        "True",
    ],
    "performance.md": ["200 The result of add_two_numbers is 42."],
    "rag.md": [
        re.compile(r"doc-0 0\.\d+ The Lisbon office opens at 08:30 and closes at 18:00\."),
        "From the handbook: [1] (id doc-0, score 1.000)",
        "The Lisbon office opens at 08:30 and closes at 18:00.",
        "According to the documents: The Lisbon office opens at 08:30.",
        "28 61 'The Lisbon office opens at 08:30.' ('lisbon',)",
        "True",
        "The Porto office opens at 09:00. ('porto',)",
    ],
    "testing.md": [
        "Sunny in Paris for the next two days.",
        "complete 2 1",
        "0",
        "Scripted reply.",
        "Hi there",
        "You answer weather questions.",
        "Weather in Paris for two days? ['get_forecast']",
        "['city']",
        "['Sunny in Paris for 2 day(s)']",
        "Here you go: Windy in Lisbon for 1 day(s).",
        "ping",
        "pong",
        "Sunny in Paris for 1 day(s)",
        "{'city': 'Paris', 'days': 2}",
        f"invalid arguments for tool 'get_forecast': city: Field required; days: {_NOT_AN_INT}",
        "{'description': 'Name of the city, e.g. Paris.', 'type': 'string'}",
        "c1 True Error: tool 'get_forecast' raised LookupError: no forecast for Atlantis",
        f"c2 True Error: invalid arguments for tool 'get_forecast': days: {_NOT_AN_INT}",
        "c3 True Error: there is no tool named 'get_weather'; available tools: get_forecast",
        "complete 3 3",
        "['iteration_started', 'tool_call_started', 'tool_call_finished', 'iteration_ended', "
        "'iteration_started', 'iteration_ended', 'run_finished']",
        "{'city': 'Paris'} None Sunny in Paris for 1 day(s)",
        "Sunny.",
        "{'prompt_tokens': 1200, 'completion_tokens': 30, 'total_tokens': 1230} stop",
        "['system', 'user', 'assistant'] ['user', 'assistant']",
        "max_iterations 3",
        "429 error",
        "Forecast(city='Paris', days=3) 1",
        f"The final result did not validate: days: {_NOT_AN_INT} (got 'a few'). "
        "Call final_result again, fixed.",
        "awaiting_approval [('c1', 'cancel_trip', {'trip_id': 'T9'})]",
        "Cancelled. ['trip T9 cancelled']",
        "The result of get_forecast is Sunny in Paris for 3 day(s).",
        "{'city': 'Paris', 'days': 3}",
        "['chat', 'chat']",
        "The result of get_forecast is Sunny in Paris for 1 day(s). "
        "{'429_retry_after': 1, '503': 1, 'reset_before': 1}",
        "503 ServiceUnavailable {'503': 5}",
        "meta.llama-3.3-70b-instruct",
    ],
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
    """The ```python blocks of a document, in order, without the ``# not run:`` ones and
    the ``# file:`` ones."""
    return [block for block in _FENCE.findall(text) if not block.startswith((NOT_RUN, FILE))]


def files_of(text: str) -> dict[str, str]:
    """The ``# file: <name>`` blocks of a document: each file's name and whole text."""
    files: dict[str, str] = {}
    for block in _FENCE.findall(text):
        if block.startswith(FILE):
            name = block.splitlines()[0][len(FILE) :].strip()
            assert name not in files, f"two blocks are the file {name!r}"
            files[name] = block
    return files


def _write_files(files: dict[str, str], folder: Path) -> None:
    for name, text in files.items():
        path = Path(name)
        assert not path.is_absolute() and ".." not in path.parts, f"{name!r}: not in the folder"
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")


def _test_files(name: str) -> dict[str, str]:
    files = files_of((ROOT / "docs" / name).read_text(encoding="utf-8"))
    return {file: text for file, text in files.items() if Path(file).name.startswith("test_")}


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
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    blocks = blocks_to_run(text)
    assert blocks, f"docs/{name} has no ```python block to run"
    _write_files(files_of(text), tmp_path)
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


@pytest.mark.parametrize("name", [name for name in sorted(EXPECTED) if _test_files(name)])
def test_the_test_modules_of_a_doc_pass_under_pytest(name: str, tmp_path: Path) -> None:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    _write_files(files_of(text), tmp_path)
    tests = sum(len(_TEST_FUNCTION.findall(body)) for body in _test_files(name).values())
    environment = {
        key: value for key, value in _clean_environment().items() if not key.startswith("PYTEST")
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", "."],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # as a reader runs ``pytest`` in the folder of the files
        env=environment,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    # every test function ran and passed: none skipped, deselected or left uncollected
    assert re.match(rf"{tests} passed(, \d+ warnings?)? in ", summary), done.stdout + done.stderr


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


def test_a_file_block_is_a_file_not_run() -> None:
    text = (
        "```python\n# file: app.py\nNAME = 'app'\n```\n"
        "```python\nimport app\nprint(app.NAME)\n```\n"
        "```python\n# file: test_app.py\ndef test_name():\n    pass\n```\n"
    )
    assert blocks_to_run(text) == ["import app\nprint(app.NAME)\n"]
    assert files_of(text) == {
        "app.py": "# file: app.py\nNAME = 'app'\n",
        "test_app.py": "# file: test_app.py\ndef test_name():\n    pass\n",
    }
