"""What importing the agent loads: nothing a plain run does not use.

Each check runs a fresh interpreter and reads ``sys.modules`` after the import (issue 16:
``from locus.agent import Agent`` had grown to twice its import time through pydantic,
the stores' ``sqlite3`` and ``typing_extensions``). No timing is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_HEAVY = (
    "pydantic",
    "pydantic_core",
    "opentelemetry",
    "psycopg",
    "sqlite3",
    "mcp",
    "temporalio",
    "starlette",
    "typing_extensions",
    "uuid",
    "locus.stores",
)


def _loaded_after(statement: str) -> set[str]:
    """The modules of ``_HEAVY`` present in ``sys.modules`` after ``statement``."""
    probe = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps([m for m in {list(_HEAVY)!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=60
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "statement",
    [
        "import locus",
        "import locus.agent",
        "from locus.agent import Agent, AgentResult, RunContext",
    ],
)
def test_the_agent_imports_none_of_the_optional_machinery(statement: str) -> None:
    assert _loaded_after(statement) == set()


def test_a_plain_run_needs_none_of_it() -> None:
    """A run with no output type, store, hooks or telemetry still loads none of them."""
    run = (
        "from locus.agent import Agent\n"
        "from locus.testing import ScriptedModel\n"
        "result = Agent(model=ScriptedModel(['hello'])).run_sync('hi')\n"
        "assert result.text == 'hello', result.text"
    )
    assert _loaded_after(run) == set()


def test_the_lazy_names_still_resolve() -> None:
    """``ThreadStore`` and ``InMemoryThreadStore`` are still ``locus.agent`` names."""
    import locus.agent
    import locus.stores

    assert locus.agent.ThreadStore is locus.stores.ThreadStore
    assert locus.agent.InMemoryThreadStore is locus.stores.InMemoryThreadStore
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = locus.agent.Nope


def test_an_output_type_loads_pydantic_when_used() -> None:
    loaded = _loaded_after(
        "from locus.core._output_schema import output_schema\noutput_schema(int)"
    )
    assert "pydantic" in loaded
