"""The agents the serve, chat and browser tests serve: on the emulator, over real HTTP.

Subprocesses (``locus serve``, ``locus chat``) import this module; they find the emulator
through ``LOCUS_TEST_EMULATOR`` (the path of its ``emulator.json``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from locus.agent import Agent
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.tools import tool

ON_DEMAND = "meta.llama-3.3-70b-instruct"


@tool
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


@tool(requires_approval=True)
def delete_file(path: str) -> str:
    """Delete the file at path (asks a person first)."""
    return f"deleted {path}"


@tool(name="delete_file", requires_approval=True)
def recorded_delete(path: str) -> str:
    """Delete the file at path (asks a person first)."""
    with Path(os.environ["LOCUS_TEST_RAN"]).open("a") as ran:  # every run, in every process
        ran.write(path + "\n")
    return f"deleted {path}"


@tool
def stock(item: str) -> int:
    """Units of an item in stock."""
    return 12


def model(info: dict[str, Any], **options: Any) -> OCIModel:
    """An ``OCIModel`` on the emulator's on-demand Llama, signed with its API key."""
    return OCIModel(
        ON_DEMAND,
        compartment_id=info["compartment_id"],
        config_file=info["config_file"],
        profile_name=info["profile"],
        auth_type=OCIAuthType.API_KEY,
        service_endpoint=info["service_endpoint"],
        **options,
    )


def adder(info: dict[str, Any]) -> Agent:
    return Agent(model(info), tools=[add_two_numbers], system_prompt="Add when asked.")


def operator(info: dict[str, Any]) -> Agent:
    return Agent(model(info), tools=[delete_file], system_prompt="Delete files when asked.")


def desk(info: dict[str, Any]) -> Agent:
    """An agent whose one tool is another agent (``clerk``, which calls ``stock``)."""
    clerk = Agent(model(info), tools=[stock], name="clerk", description="Answers stock questions.")
    return Agent(model(info), tools=[clerk.as_tool()], name="desk")


def gated_desk(info: dict[str, Any]) -> Agent:
    """An agent whose one tool is another agent (``clerk``) whose ``delete_file`` needs
    approval."""
    clerk = Agent(model(info), tools=[delete_file], name="clerk", description="Deletes files.")
    return Agent(model(info), tools=[clerk.as_tool()], name="desk")


def _info() -> dict[str, Any]:
    return dict(json.loads(Path(os.environ["LOCUS_TEST_EMULATOR"]).read_text()))


def agent() -> Agent:
    """``module:agent`` for the command-line tests (a factory: called by the loader)."""
    return adder(_info())


def desk_agent() -> Agent:
    """``module:desk_agent``: the agent whose tool is an agent (a factory)."""
    return desk(_info())


def operator_agent() -> Agent:
    """``module:operator_agent``: an agent whose ``delete_file`` needs approval (a factory)."""
    return operator(_info())


def gated_desk_agent() -> Agent:
    """``module:gated_desk_agent``: the desk whose clerk's tool needs approval (a factory)."""
    return gated_desk(_info())


def agents() -> dict[str, Agent]:
    """Both agents by name."""
    info = _info()
    return {"adder": adder(info), "ops": operator(info), "desk": desk(info)}


def shared_agent() -> Agent:
    """``module:shared_agent``: the adder with threads in the store ``LOCUS_TEST_THREADS``
    names (a URL), which several ``locus serve`` workers share."""
    info = _info()
    store = os.environ["LOCUS_TEST_THREADS"]
    return Agent(
        model(info),
        tools=[add_two_numbers],
        system_prompt="Add when asked.",
        thread_store=store,
        name="shared",
    )


def shared_operator() -> Agent:
    """``module:shared_operator``: an agent whose ``delete_file`` needs approval, with its
    threads in the store ``LOCUS_TEST_THREADS`` names; each run of the tool, in any
    process, is a line of the file ``LOCUS_TEST_RAN``."""
    return Agent(
        model(_info()),
        tools=[recorded_delete],
        system_prompt="Delete files when asked.",
        thread_store=os.environ["LOCUS_TEST_THREADS"],
        name="ops",
    )
