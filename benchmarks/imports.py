"""Import time of ``import locus``, ``from locus.agent import Agent`` and the seed
notebook's import lines in fresh interpreters.

``asyncio`` is the floor under the second (the agent needs it; alone it takes 50-80 ms on
the 2-core benchmark machine), so ``agent_over_asyncio`` is also reported: the agent's
import in an interpreter that has imported ``asyncio`` already, Locus's own share.
``seed`` is what the seed notebook imports (``SEED``: the agent, ``get_model``,
``OCIModel`` and ``OCIAuthType``, ``Message``): the model side with it, httpx included.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from benchmarks._stats import figure

__all__ = ["SEED", "measure"]

SEED = (
    "from locus.agent import Agent; from locus.models import get_model; "
    "from locus.models.providers.oci import OCIAuthType, OCIModel; "
    "from locus.core.messages import Message"
)
"""The seed notebook's import lines (``examples/notebook_04_oci_dac.py``)."""

_SNIPPET = "{first}; import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"


def _once(stmt: str, first: str = "pass") -> float:
    # bytecode is written (and then read), as for an installed package: without it a
    # module edited since its last .pyc is compiled again on every import
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-c", _SNIPPET.format(stmt=stmt, first=first)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def measure(reps: int = 10) -> dict[str, Any]:
    """Median of ``reps`` fresh subprocesses per statement, in milliseconds."""
    result: dict[str, Any] = {}
    statements = (
        ("locus", "import locus"),
        ("agent", "from locus.agent import Agent"),
        ("seed", SEED),
    )
    for key, stmt in statements:
        _once(stmt)  # warm the file-system cache
        result[key] = figure([_once(stmt) for _ in range(reps)], scale=1000.0, digits=1)
    floor = [_once("import asyncio") for _ in range(reps)]
    over = [_once("from locus.agent import Agent", first="import asyncio") for _ in range(reps)]
    result["asyncio"] = figure(floor, scale=1000.0, digits=1)
    result["agent_over_asyncio"] = figure(over, scale=1000.0, digits=1)
    return result


if __name__ == "__main__":
    print(measure())
