"""Model answers that go wrong, in a durable run on a real Temporal dev server, the model a
Qwen DAC endpoint of the emulator (its tool calls come back as ``<tool_call>`` text): an
argument the tool's schema refuses, a tool the agent does not have, a ``<tool_call>`` whose
JSON is cut short. Each is what ``agent.arun`` makes of it (a tool error the model reads:
for the cut call, that its arguments were not valid JSON), the run finishes, and the tool
never runs on a bad call."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from temporalio.client import Client

from locus.agent import Agent, AgentResult
from locus.core.messages import ToolCall
from locus.durable.temporal import create_worker, run, start_run
from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.tools import tool
from tests.deadlines import wait_until, within
from tests.integration.durable.test_deps import turns
from tests.integration.stores.services import ROOT

RULES = ROOT / "tests" / "data" / "durable" / "bad_answers_rules.json"
RAN: list[str] = []


@tool
def lookup(city: str) -> str:
    """Look up hotels in a city."""
    RAN.append(city)
    return f"3 hotels in {city}"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(rules=str(RULES)) as emulator:
        yield emulator


def _agent(emu: Emulator) -> Agent[Any]:
    model = OCIModel(
        emu.endpoint("hermes")["ocid"],
        service_endpoint=emu.service_endpoint,
        compartment_id=emu.compartment_id,
        config_file=emu.config_file,
        profile_name=emu.profile,
        auth_type=OCIAuthType.API_KEY,
    )
    return Agent(model, tools=[lookup], name="qwen")


def _shape(result: AgentResult[Any]) -> tuple[Any, ...]:
    tools = [(m.name, m.text, m.is_error) for m in result.messages if m.role == "tool"]
    return result.text, tools, result.stop_reason, result.metrics.tool_calls


@pytest.mark.parametrize(
    ("prompt", "read"),
    [
        ("Wrong argument, please.", "city"),
        ("Unknown tool, please.", "teleport"),
        ("Broken call, please.", "not valid JSON"),
    ],
)
async def test_a_bad_answer_is_what_arun_makes_of_it_and_the_run_finishes(
    client: Client, emu: Emulator, prompt: str, read: str
) -> None:
    agent = _agent(emu)
    spec, queue = f"tests.bad_answers{uuid.uuid4().hex[:8]}:qwen", f"q-{uuid.uuid4().hex[:8]}"
    RAN.clear()
    async with create_worker(client, task_queue=queue, agents={spec: agent}):
        durable = await within(run(client, spec, prompt, task_queue=queue), "the run's result")
    plain = await agent.arun(prompt)
    assert _shape(durable) == _shape(plain)
    assert RAN == []  # a bad call never reaches the tool
    (_, tools, stop, _) = _shape(durable)
    assert stop == "complete"
    # a tool error the model read, naming what was wrong
    ((_, text, is_error),) = tools
    assert is_error and read in text and durable.text.startswith("Done: ")


@tool(requires_approval=True)
def pay(to: str, amount: int) -> str:
    """Pay someone an amount of euros."""
    RAN.append(f"pay {to} {amount}")
    return f"paid {amount} to {to}"


async def test_an_approval_whose_arguments_the_tool_refuses_is_a_tool_error_the_model_reads(
    client: Client,
) -> None:
    agent = Agent(turns([ToolCall("p1", "pay", {"to": "Ada", "amount": 3})]), tools=[pay])
    spec, queue = f"tests.bad_answers{uuid.uuid4().hex[:8]}:pay", f"q-{uuid.uuid4().hex[:8]}"
    RAN.clear()
    async with create_worker(client, task_queue=queue, agents={spec: agent}):
        durable = await start_run(client, spec, "Pay Ada.", task_queue=queue)
        await wait_until(durable.pending, "a call of the run waits for a decision")
        await durable.approve("p1", arguments={"to": "Ada", "amount": "a lot"})
        result = await within(durable.result(), "the run's result")
    ((text, is_error),) = [(m.text, m.is_error) for m in result.messages if m.role == "tool"]
    assert is_error and "amount" in text and RAN == []
    assert result.text.startswith("Done: ")
