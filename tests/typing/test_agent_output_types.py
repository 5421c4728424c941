"""mypy --strict sees typed agent output: ``AgentResult[City]``, ``result.output: City``.

The snippets are written to a temporary file and checked with mypy's API, so the
deliberate mistakes in them never reach the repository's own ``mypy`` run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEADER = """
from pydantic import BaseModel

from locus.agent import Agent, AgentResult
from locus.testing import ScriptedModel


class City(BaseModel):
    name: str
    population: int


agent = Agent(ScriptedModel([]), output_type=City)
"""

GOOD = """
r: AgentResult[City] = agent.run_sync("Biggest UK city?")
name: str = r.output.name
reveal_type(agent)
reveal_type(agent.run_sync("x", output_type=int).output)
reveal_type(Agent(ScriptedModel([])).run_sync("x").output)
plain: AgentResult = Agent(ScriptedModel([])).run_sync("x")
text: str = plain.output


async def later() -> City:
    return (await agent.arun("x")).output
"""

BAD = """
r = agent.run_sync("Biggest UK city?")
r.output.no_such_field
wrong: AgentResult[int] = agent.run_sync("x")
"""


def check(tmp_path: Path, body: str) -> tuple[str, int]:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(HEADER + body, encoding="utf-8")
    # In a subprocess: mypy's API raises this interpreter's recursion limit for good, which
    # would change what other tests (deeply nested JSON) see.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(snippet),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    return done.stdout + done.stderr, done.returncode


@pytest.mark.slow
def test_typed_results_are_accepted(tmp_path: Path) -> None:
    out, status = check(tmp_path, GOOD)
    assert status == 0 and "error:" not in out, out
    assert 'Revealed type is "locus.agent._agent.Agent[snippet.City]"' in out
    assert ':18: note: Revealed type is "int"' in out
    assert ':19: note: Revealed type is "str"' in out


@pytest.mark.slow
def test_wrong_fields_and_types_are_rejected(tmp_path: Path) -> None:
    out, status = check(tmp_path, BAD)
    assert status == 1, out
    assert '"City" has no attribute "no_such_field"' in out
    assert "Incompatible types in assignment" in out
    assert out.count("error:") == 2, out
