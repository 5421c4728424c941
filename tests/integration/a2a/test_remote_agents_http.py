"""A Locus agent on the emulator's DAC endpoint calls remote A2A agents as tools, over
real HTTP: a Locus agent served by ``locus serve``'s app (on the emulator too), and an
agent written with the ``a2a-sdk``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from locus.a2a import RemoteAgent
from locus.agent import Agent, AgentResult
from locus.emulator import Emulator
from locus.serve import create_app
from locus.tools import tool
from tests.integration.conftest import OCIModelFactory
from tests.unit.a2a.peers import ServerThread, sdk_app

TOKEN = "served-token-8d2e"
"""The served app's token (a test value)."""


@tool
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


@pytest.fixture
def served(emu: Emulator, oci_model: OCIModelFactory) -> Iterator[str]:
    """The A2A URL of ``adder``, a Locus agent on the emulator's on-demand Llama, served
    by ``locus serve``'s app (uvicorn, loopback) with a token."""
    adder = Agent(oci_model(), tools=[add_two_numbers], name="adder", description="Adds numbers.")
    with ServerThread(lambda url: create_app({"adder": adder}, token=TOKEN)) as server:
        yield f"{server.url}/a2a/adder"


@pytest.fixture
def town() -> Iterator[str]:
    """The base URL of the ``a2a-sdk`` town agent (tests/unit/a2a/peers.py)."""
    with ServerThread(sdk_app) as server:
        yield server.url


def tool_results(result: AgentResult[object]) -> list[tuple[str, bool]]:
    return [(m.text, m.is_error) for m in result.messages if m.role == "tool"]


@pytest.mark.parametrize("endpoint", ["native", "hermes"])
async def test_a_dac_agent_answers_with_what_a_served_locus_agent_found(
    emu: Emulator, oci_model: OCIModelFactory, served: str, endpoint: str
) -> None:
    remote = RemoteAgent(served, token=TOKEN)
    caller = Agent(oci_model(str(emu.endpoint(endpoint)["ocid"])), tools=[remote.as_tool()])
    result = await caller.arun('Use adder: "Use add_two_numbers to add 7 and 35."')
    assert tool_results(result) == [("The result of add_two_numbers is 42.", False)]
    assert result.message == "The result of adder is The result of add_two_numbers is 42."


async def test_a_dac_agent_answers_with_what_an_sdk_agent_said(
    emu: Emulator, oci_model: OCIModelFactory, town: str
) -> None:
    caller = Agent(
        oci_model(str(emu.endpoint("native")["ocid"])), tools=[RemoteAgent(town).as_tool()]
    )
    result = await caller.arun('Use Town_weather: "Lisbon"')
    assert tool_results(result) == [("echo: Lisbon", False)]
    assert result.message == "The result of Town_weather is echo: Lisbon."


async def test_runs_on_one_thread_go_on_with_one_remote_conversation(
    emu: Emulator, oci_model: OCIModelFactory, town: str
) -> None:
    caller = Agent(
        oci_model(str(emu.endpoint("native")["ocid"])), tools=[RemoteAgent(town).as_tool()]
    )
    first = await caller.arun('Use Town_weather: "count"', thread_id="trip")
    second = await caller.arun('Use Town_weather: "count"', thread_id="trip")
    elsewhere = await caller.arun('Use Town_weather: "count"', thread_id="other")
    assert tool_results(first) == [("message 1 of this context", False)]
    assert tool_results(second)[-1] == ("message 2 of this context", False)
    assert tool_results(elsewhere) == [("message 1 of this context", False)]


async def test_a_remote_failure_is_read_by_the_calling_model(
    emu: Emulator, oci_model: OCIModelFactory, town: str
) -> None:
    caller = Agent(
        oci_model(str(emu.endpoint("native")["ocid"])), tools=[RemoteAgent(town).as_tool()]
    )
    result = await caller.arun('Use Town_weather: "fail"')
    error = "Error: the remote agent did not do the task (failed): the weather service is down"
    assert tool_results(result) == [(error, True)]
    assert "the weather service is down" in result.message


async def test_the_served_agents_answer_streams(served: str) -> None:
    stream = RemoteAgent(served, token=TOKEN).stream("Use add_two_numbers to add 7 and 35.")
    chunks = [text async for text in stream]
    assert len(chunks) > 1
    assert "".join(chunks) == "The result of add_two_numbers is 42."
    assert (
        stream.answer is not None and stream.answer.text == "The result of add_two_numbers is 42."
    )
