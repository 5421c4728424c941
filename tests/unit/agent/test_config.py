"""Agent construction: checked options, model strings, prompts."""

from __future__ import annotations

from typing import Any

import pytest

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.testing import FunctionModel, ScriptedModel


def test_unknown_option_suggests_the_closest_name() -> None:
    kwargs: dict[str, Any] = {"max_iteration": 3, "flavour": "x"}
    with pytest.raises(ConfigurationError) as info:
        Agent(ScriptedModel([]), **kwargs)
    text = str(info.value)
    assert "'max_iteration' (did you mean 'max_iterations'?)" in text
    assert "'flavour'" in text


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_iterations": 0},
        {"max_iterations": 2.5},
        {"max_iterations": True},
        {"tool_timeout": 0},
        {"run_timeout": -1},
        {"max_tool_result_chars": 0},
    ],
)
def test_bad_values(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        Agent(ScriptedModel([]), **kwargs)


def test_model_string_goes_through_get_model() -> None:
    agent = Agent(model="mock:echo")
    assert isinstance(agent._model, FunctionModel)
    assert agent.model is agent._model
    assert agent.run_sync("hello").message == "hello"


def test_model_must_be_a_model() -> None:
    with pytest.raises(ConfigurationError, match="must be a Model"):
        Agent(model=object())  # type: ignore[call-overload]


def test_properties_and_repr() -> None:
    agent = Agent(ScriptedModel([], model_id="m"), system_prompt="sys", max_iterations=4)
    assert (agent.system_prompt, agent.max_iterations) == ("sys", 4)
    assert repr(agent) == "Agent(name='agent-m', model='m', tools=[])"


async def test_prompt_forms() -> None:
    model = ScriptedModel(["a", "b"])
    agent = Agent(model)
    await agent.arun(Message.user("one"))
    await agent.arun([Message.user("two"), Message.user("three")])
    assert [m.text for m in model.requests[1].messages] == ["two", "three"]
    with pytest.raises(ConfigurationError):
        agent.run(42)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        agent.run([])
    with pytest.raises(ConfigurationError):
        agent.run("x", timeout=0)


async def test_aclose_closes_the_model() -> None:
    model = ScriptedModel([])
    await Agent(model).aclose()
    assert model.closed


async def test_result_repr_is_short() -> None:
    result = await Agent(ScriptedModel(["x" * 500])).arun("q")
    assert repr(result) == (
        f"AgentResult(stop_reason='complete', message={'x' * 80!r}, iterations=1, "
        "tool_calls=0, messages=2)"
    )
