"""A Qwen DAC endpoint (tool calls written as ``<tool_call>`` text) whose call is broken,
over real HTTP to the emulator: the model meant an offered tool, so the run answers the
call with an error that quotes what the model wrote, the model reads it, and the run goes
on. Before, the broken markup was the run's final answer (``stop_reason="complete"``) and
the model was never told: a tool call lost to one stray character. The call goes back in
the history with ``{}`` as its arguments (the emulator, as a validating server, refuses
arguments that are not a JSON object).

The rules (``tests/data/durable/bad_answers_rules.json``) answer "Broken call" with a
``<tool_call>`` whose JSON is cut short, and any tool result with ``Done: {results}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from locus.agent import Agent, ToolCallFinished
from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.tools import tool
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
    return Agent(model, tools=[lookup])


async def test_a_broken_call_is_answered_with_an_error_the_model_reads(emu: Emulator) -> None:
    RAN.clear()
    result = await _agent(emu).arun("Broken call, please.")
    assert RAN == []  # the tool never runs on arguments nobody could read
    assistant = next(m for m in result.messages if m.role == "assistant" and m.tool_calls)
    (call,) = assistant.tool_calls
    assert call.name == "lookup" and call.arguments == {}
    assert call.raw_arguments is not None and '"city": "Lis' in call.raw_arguments
    assert not (assistant.content or "").strip()  # no markup left as text
    (answer,) = [m for m in result.messages if m.role == "tool"]
    assert answer.is_error and answer.tool_call_id == call.id
    assert "arguments for tool 'lookup' were not valid JSON" in answer.text
    assert result.text.startswith("Done: ") and "not valid JSON" in result.text  # it read it
    assert result.metrics.tool_calls == 1 and result.metrics.tool_errors == 1


async def test_streamed_the_same_call_is_shown_and_answered(emu: Emulator) -> None:
    finished = [
        event
        async for event in _agent(emu).run("Broken call, please.")
        if isinstance(event, ToolCallFinished)
    ]
    (event,) = finished
    assert event.call.name == "lookup" and event.error is not None
    assert "not valid JSON" in event.result.text
