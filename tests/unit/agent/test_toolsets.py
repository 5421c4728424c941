"""Toolsets (tools listed at run start), ``Agent(name=)`` and ``async with agent``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, ScriptedModel, Turn
from locus.tools import Tool, Toolset, tool


@tool
def local_add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Numbers:
    """A toolset that lists one schema tool and counts its listings and closes."""

    def __init__(self, name: str = "double") -> None:
        self.listed = 0
        self.closed = 0
        self.name = name

    async def list_tools(self) -> Sequence[Tool[..., Any]]:
        self.listed += 1

        async def double(arguments: dict[str, Any]) -> int:
            return 2 * int(arguments["n"])

        schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
        return [Tool.from_schema(self.name, "Double n.", schema, double)]

    async def aclose(self) -> None:
        self.closed += 1

    def __repr__(self) -> str:
        return "Numbers()"


def calls_then_echoes(call: ToolCall) -> FunctionModel:
    seen: list[list[str]] = []

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        seen.append([t.name for t in tools])
        if messages[-1].role != "tool":
            return call
        return f"got {messages[-1].text}"

    model = FunctionModel(brain)
    model.seen = seen  # type: ignore[attr-defined]
    return model


async def test_a_toolsets_tools_are_offered_and_run() -> None:
    numbers = Numbers()
    assert isinstance(numbers, Toolset)
    model = calls_then_echoes(ToolCall("c1", "double", {"n": 21}))
    agent = Agent(model, tools=[local_add, numbers])
    result = await agent.arun("double 21")
    assert result.text == "got 42"
    assert model.seen[0] == ["local_add", "double"]  # type: ignore[attr-defined]
    assert numbers.listed == 1
    await agent.arun("again")
    assert numbers.listed == 2  # asked at each run's start (the toolset may cache)


async def test_two_tools_with_one_name_name_both_sources() -> None:
    agent = Agent(ScriptedModel(["x"]), tools=[local_add, Numbers(name="local_add")])
    with pytest.raises(ConfigurationError, match=r"'local_add'.*agent's tools.*Numbers\(\)"):
        await agent.arun("hi")


async def test_async_with_closes_toolsets_and_model() -> None:
    numbers = Numbers()
    model = ScriptedModel(["x"])
    async with Agent(model, tools=[numbers]) as agent:
        assert (await agent.arun("hi")).text == "x"
    assert numbers.closed == 1


def test_names() -> None:
    llama = Agent(ScriptedModel([], model_id="meta.llama-3.3-70b"))
    assert llama.name == "agent-meta-llama-3-3-70b"
    cohere = Agent(ScriptedModel([], model_id="oci:cohere.command-a"))
    assert cohere.name == "agent-cohere-command-a"
    assert Agent(ScriptedModel([]), name="billing_2").name == "billing_2"
    for bad in ("two words", "", "a.b"):
        with pytest.raises(ConfigurationError, match="Agent name"):
            Agent(ScriptedModel([]), name=bad)


def test_anything_else_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="toolset"):
        Agent(ScriptedModel([]), tools=[42])


def test_unknown_run_options_are_errors() -> None:
    agent = Agent(ScriptedModel(["x"]))
    with pytest.raises(ConfigurationError, match="thread_idd"):
        agent.run("hi", thread_idd="t")  # type: ignore[call-arg]
