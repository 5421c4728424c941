"""The agents the durable tests' workers serve (``locus worker ... module:agent``).

They run on the emulator over real HTTP, signed with its API key; the worker finds the
emulator's settings as JSON in ``LOCUS_EMU``. Every tool appends a line to the file
``LOCUS_TOOL_LOG`` when it runs, so a test counts the runs of each tool across
processes. ``confirm`` waits until the file ``LOCUS_RELEASE`` exists: a worker can be
killed while it waits.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from locus.agent import Agent
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.tools import tool


def _log(line: str) -> None:
    with open(os.environ["LOCUS_TOOL_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{line} {os.getpid()}\n")


@tool
def lookup(city: str) -> str:
    """Look up hotels in a city."""
    _log(f"lookup {city}")
    return f"3 hotels in {city}"


@tool
async def confirm(what: str) -> str:
    """Confirm a booking."""
    _log(f"confirm-started {what}")
    release = Path(os.environ["LOCUS_RELEASE"])
    while not release.exists():
        await asyncio.sleep(0.05)
    _log(f"confirm-done {what}")
    return f"confirmed {what}"


@tool(requires_approval=True)
def pay(to: str, amount: int) -> str:
    """Pay someone an amount of euros."""
    _log(f"pay {to} {amount}")
    return f"paid {amount} euros to {to}"


def model() -> OCIModel:
    emu = json.loads(os.environ["LOCUS_EMU"])
    return OCIModel(
        "meta.llama-3.3-70b-instruct",
        service_endpoint=emu["endpoint"],
        compartment_id=emu["compartment"],
        config_file=emu["config_file"],
        profile_name=emu["profile"],
        auth_type=OCIAuthType.API_KEY,
    )


def trip() -> Agent:
    """``tests.integration.durable.agents:trip`` (a factory: the worker calls it once)."""
    return Agent(model(), tools=[lookup, confirm, pay], name="planner")
