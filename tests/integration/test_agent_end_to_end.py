"""End to end: Agent + @tool + a scripted tool-calling model, as the seed uses them."""

from __future__ import annotations

import asyncio
import runpy
from pathlib import Path

import pytest

from locus.agent import Agent, ModelTextDelta, RunFinished, ToolCallFinished
from locus.core.messages import Message, ToolCall
from locus.core.model import Model
from locus.core.toolspec import ToolSpec
from locus.emulator import Emulator
from locus.models import get_model
from locus.testing import FunctionModel, Turn
from locus.tools.decorator import tool

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "quickstart_scripted.py"
PROMPT = "Use the add_two_numbers tool to add 7 and 35, then state the result in one sentence."


@tool(name="add_two_numbers")
def add_two_numbers(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


@tool
def flaky_add(a: int, b: int) -> int:
    """Add, but refuse negative numbers."""
    if a < 0 or b < 0:
        raise ValueError("negative numbers are not supported")
    return a + b


def careful_model(first_call: ToolCall) -> FunctionModel:
    """Tries ``first_call``; after an error retries correctly; then states the result."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        last = messages[-1]
        if last.role != "tool":
            return first_call
        if last.is_error:
            return ToolCall("retry", "add_two_numbers", {"a": 7, "b": 35})
        return f"7 plus 35 is {last.text}."

    return FunctionModel(brain, model_id="careful")


async def test_seed_part5_shape_with_a_scripted_model() -> None:
    model = get_model(
        "mock:scripted",
        turns=[ToolCall("call_1", "add_two_numbers", {"a": 7, "b": 35}), "7 plus 35 is 42."],
    )
    agent = Agent(
        model=model,
        tools=[add_two_numbers],
        system_prompt="You can call add_two_numbers when asked to add. Reply briefly.",
        max_iterations=4,
    )
    result = await asyncio.to_thread(agent.run_sync, PROMPT)
    assert type(agent._model).__name__ == "ScriptedModel"
    assert result.message.strip() == "7 plus 35 is 42."
    assert (result.metrics.iterations, result.metrics.tool_calls) == (2, 1)
    assert [m.text for m in result.messages if m.role == "tool"] == ["42"]


async def test_tool_result_reaches_the_final_message() -> None:
    agent = Agent(
        careful_model(ToolCall("c1", "add_two_numbers", {"a": 7, "b": 35})), tools=[add_two_numbers]
    )
    result = await asyncio.to_thread(agent.run_sync, PROMPT)
    assert result.message == "7 plus 35 is 42."
    assert (result.metrics.iterations, result.metrics.tool_calls) == (2, 1)
    assert result.stop_reason == "complete"


@pytest.mark.parametrize(
    "first_call",
    [
        ToolCall("c1", "flaky_add", {"a": -7, "b": 35}),
        ToolCall("c1", "add_two_numbers", {"a": "seven", "b": 35}),
        ToolCall("c1", "add_numbers", {"a": 7, "b": 35}),
    ],
    ids=["tool-raises", "bad-arguments", "unknown-tool"],
)
async def test_model_sees_the_error_and_recovers(first_call: ToolCall) -> None:
    agent = Agent(careful_model(first_call), tools=[add_two_numbers, flaky_add])
    result = await agent.arun(PROMPT)
    assert result.message == "7 plus 35 is 42."
    m = result.metrics
    assert (m.iterations, m.tool_calls, m.tool_errors) == (3, 2, 1)
    first_result, second_result = (msg for msg in result.messages if msg.role == "tool")
    assert first_result.is_error and first_result.text.startswith("Error: ")
    assert not second_result.is_error and second_result.text == "42"


async def test_streaming_run_end_to_end() -> None:
    model = get_model(
        "mock:streamer",
        turns=[ToolCall("c", "add_two_numbers", {"a": 1, "b": 2}), "The sum is 3, as computed."],
        chunk_size=3,
    )
    agent = Agent(model, [add_two_numbers])
    deltas: list[str] = []
    async for event in agent.stream("1+2"):
        if isinstance(event, ModelTextDelta):
            deltas.append(event.text)
        elif isinstance(event, RunFinished):
            assert "".join(deltas) == event.result.message == "The sum is 3, as computed."
    assert len(deltas) > 3


async def test_many_concurrent_runs_on_one_agent_stay_independent() -> None:
    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        user = next(m for m in messages if m.role == "user")
        if messages[-1].role != "tool":
            n = int(user.text)
            return ToolCall(f"c{n}", "add_two_numbers", {"a": n, "b": n})
        return f"double is {messages[-1].text}"

    agent = Agent(FunctionModel(brain), [add_two_numbers])
    results = await asyncio.gather(*(agent.arun(str(n)) for n in range(50)))
    assert [r.message for r in results] == [f"double is {2 * n}" for n in range(50)]


def test_quickstart_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "final message: 7 plus 35 is 42." in out
    assert "iterations: 2" in out and "locus tool calls: 1" in out


# -- the same agent over real HTTP, against the OCI emulator on loopback ------------------------


def dac_model(emu: Emulator, style: str) -> Model:
    """The seed's Part 5 wiring, pointed at the emulator's DAC endpoint of one tool style."""
    extra = {"api_format": "cohere_v2"} if style == "cohere" else {}
    return get_model(
        f"oci:{emu.endpoint(style)['ocid']}",
        compartment_id=emu.compartment_id,
        profile_name=emu.profile,
        config_file=emu.config_file,
        service_endpoint=emu.service_endpoint,
        **extra,
    )


@pytest.mark.parametrize(
    "style", ["native", "hermes", "qwen3_coder", "llama_json", "cohere", "glm"]
)
async def test_seed_part5_against_the_emulator(oci_emulator: Emulator, style: str) -> None:
    agent = Agent(
        model=dac_model(oci_emulator, style),
        tools=[add_two_numbers],
        system_prompt="You can call add_two_numbers when asked to add. Reply briefly.",
        max_iterations=4,
    )
    result = await asyncio.to_thread(agent.run_sync, PROMPT)
    assert type(agent._model).__name__ == "OCIModel"
    assert "42" in result.message and "<tool_call>" not in result.message
    assert (result.metrics.iterations, result.metrics.tool_calls) == (2, 1)
    assert result.metrics.tool_errors == 0 and result.metrics.total_tokens > 0


async def test_streamed_agent_run_against_the_emulator(oci_emulator: Emulator) -> None:
    agent = Agent(dac_model(oci_emulator, "hermes"), [add_two_numbers])
    deltas: list[str] = []
    results: list[str] = []
    async for event in agent.run(PROMPT):
        if isinstance(event, ModelTextDelta):
            deltas.append(event.text)
        elif isinstance(event, ToolCallFinished):
            results.append(event.result.text)
    await agent.aclose()
    assert results == ["42"]
    assert len(deltas) > 1 and "42" in "".join(deltas)
    assert not any("<tool_call>" in delta for delta in deltas)


async def test_agent_builds_the_model_from_a_string_with_model_kwargs(
    oci_emulator: Emulator,
) -> None:
    endpoint = oci_emulator.endpoint(style="hermes")
    agent = Agent(
        model=f"oci:{endpoint['ocid']}",
        model_kwargs={
            "compartment_id": oci_emulator.compartment_id,
            "config_file": oci_emulator.config_file,
            "service_endpoint": oci_emulator.service_endpoint,
            "max_tokens": 64,
        },
        tools=[add_two_numbers],
    )
    assert type(agent._model).__name__ == "OCIModel"
    result = await agent.arun("Use add_two_numbers to add 7 and 35.")
    assert "42" in result.message and result.metrics.tool_calls == 1
    await agent.aclose()
