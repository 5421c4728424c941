"""The README's tour (DAC model, streaming, tools, Agent from a string) against the emulator."""

from __future__ import annotations

from typing import Any

from locus.agent import Agent
from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models import get_model
from locus.models.http import HTTPChatModel
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.tools.decorator import tool


@tool
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


def _places(emu: Emulator) -> dict[str, Any]:
    return {
        "compartment_id": emu.compartment_id,
        "config_file": emu.config_file,
        "service_endpoint": emu.service_endpoint,
    }


async def test_dac_tools_section(oci_emulator: Emulator) -> None:
    endpoint = oci_emulator.endpoint(style="hermes")
    model = get_model(f"oci:{endpoint['ocid']}", **_places(oci_emulator))
    agent = Agent(model=model, tools=[add_two_numbers], max_iterations=4)
    result = await agent.arun("Add 7 and 35.")
    assert "42" in result.message and result.metrics.tool_calls == 1
    await agent.aclose()


async def test_streaming_section(oci_emulator: Emulator) -> None:
    endpoint = oci_emulator.endpoint(style="hermes")
    model = OCIModel(
        model_id=endpoint["ocid"],
        auth_type=OCIAuthType.API_KEY,
        max_tokens=64,
        **_places(oci_emulator),
    )
    deltas, last = [], None
    async for event in model.stream(messages=[Message.user("Count from 1 to 5.")]):
        if event.content:
            deltas.append(event.content)
        if event.done:
            last = event
    await model.aclose()
    assert "".join(deltas) == "1, 2, 3, 4, 5" and len(deltas) > 1
    assert last is not None and last.stop_reason == "stop" and last.usage


def test_agent_from_a_model_string(oci_emulator: Emulator) -> None:
    endpoint = oci_emulator.endpoint(style="hermes")
    agent = Agent(
        model=f"oci:{endpoint['ocid']}",
        model_kwargs=_places(oci_emulator),
        system_prompt="You are a concise assistant.",
    )
    assert endpoint["model"] in agent.run_sync("In one sentence, what model are you?").message


def test_every_catalogue_model_answers_through_get_model(oci_emulator: Emulator) -> None:
    for model_id in oci_emulator.info["models"]:
        model = get_model(f"oci:{model_id}", **_places(oci_emulator))
        assert isinstance(model, HTTPChatModel)
        reply = model.complete_sync([Message.user("what model are you?")])
        assert model_id in reply.text, (type(model).__name__, model_id)
