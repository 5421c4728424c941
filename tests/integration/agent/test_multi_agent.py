"""Agents as tools over real HTTP (issue 20's done-when): one turn of an outer agent makes
8 parallel sub-agent calls, each sub-agent calls a sync tool; under ``arun`` and
``run_sync`` it completes (the 8 sync tools wait for each other, so they must run at
once), every sub-run runs on the caller's loop, its events reach the caller's stream,
and usage is rolled up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from locus.agent import Agent, RunFinished, SubAgentEvent, ToolCallFinished, ToolCallStarted
from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.tools import tool
from tests.integration.stores.services import ROOT

RULES = ROOT / "tests" / "data" / "approvals" / "fleet_rules.json"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(rules=str(RULES)) as emulator:
        yield emulator


def model(emu: Emulator) -> OCIModel:
    return OCIModel(
        "meta.llama-3.3-70b-instruct",
        service_endpoint=emu.service_endpoint,
        compartment_id=emu.compartment_id,
        config_file=emu.config_file,
        profile_name=emu.profile,
        auth_type=OCIAuthType.API_KEY,
    )


def fleet(emu: Emulator, seen: list[str]) -> Agent:
    barrier = threading.Barrier(8, timeout=60)

    @tool
    def measure(ship: str) -> str:
        """Measure a ship."""
        barrier.wait()  # all eight at once, or none
        return "measured"

    scout = Agent(model(emu), tools=[measure], name="scout")
    original = scout.run

    def run(*args: Any, **kwargs: Any) -> Any:  # where each sub-run starts
        seen.append(threading.current_thread().name)
        return original(*args, **kwargs)

    scout.run = run  # type: ignore[method-assign]
    return Agent(model(emu), tools=[scout.as_tool(description="Measure one ship.")], name="fleet")


def check(result: Any, seen: list[str], loop_thread: str) -> None:
    assert result.text == ", ".join(["measured"] * 8)
    assert result.metrics.sub_runs == 8 and result.metrics.model_calls == 2
    own = result.messages  # the outer run's own two answers
    assert len([m for m in own if m.role == "assistant"]) == 2
    assert result.usage.total_tokens == result.metrics.total_tokens
    assert seen == [loop_thread] * 8


async def test_eight_sub_agents_in_one_turn_under_arun(emu: Emulator) -> None:
    seen: list[str] = []
    async with fleet(emu, seen) as agent:
        events = [event async for event in agent.run("Survey the fleet")]
        assert isinstance(events[-1], RunFinished)
        result = events[-1].result
        check(result, seen, threading.current_thread().name)
    # each sub-run's events came, whole and in order, before its call finished
    calls = [e.call.id for e in events if isinstance(e, ToolCallStarted)]
    assert len(calls) == 8
    for call_id in calls:
        finished = next(
            i
            for i, e in enumerate(events)
            if isinstance(e, ToolCallFinished) and e.call.id == call_id
        )
        mine = [
            e for e in events[:finished] if isinstance(e, SubAgentEvent) and e.call_id == call_id
        ]
        assert [e.agent_name for e in mine] == ["scout"] * len(mine)
        inner = [e.event for e in mine]
        assert isinstance(inner[-1], RunFinished) and inner[-1].result.text == "measured"
        assert [e.kind for e in inner if e.kind.startswith("tool_call")] == [
            "tool_call_started",
            "tool_call_finished",
        ]

    @tool
    def measure(ship: str) -> str:
        """Measure a ship."""
        return "measured"

    one_scout = await Agent(model(emu), tools=[measure], name="scout").arun("ship alpha")
    assert one_scout.metrics.model_calls == 2
    assert result.usage.total_tokens > 8 * one_scout.usage.total_tokens  # 8 rolled up


def test_eight_sub_agents_in_one_turn_under_run_sync(emu: Emulator) -> None:
    seen: list[str] = []
    result = fleet(emu, seen).run_sync("Survey the fleet", timeout=120)
    assert seen[0] != threading.current_thread().name  # the shared sync loop's thread
    check(result, seen, seen[0])
