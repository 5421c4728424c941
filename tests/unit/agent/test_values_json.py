"""Values JSON cannot carry (``NaN``, infinities) never reach a request body.

A tool's result holding them reaches the model as strings (``"NaN"``, see
``locus.tools._results``); arguments a person approves holding them are refused when
the run is resumed, before anything runs (the call's arguments are shown in events,
kept by durable runs and sent to ``locus serve``'s clients, all as JSON).
"""

from __future__ import annotations

import json
import math

import pytest

from locus.agent import Agent, Approve
from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel
from locus.tools import tool

scaled: list[float] = []


@tool
def measure() -> dict[str, object]:
    """Measures the samples."""
    return {"ratio": float("nan"), "limits": [float("-inf"), float("inf")], "n": 3}


@tool(requires_approval=True)
def scale(factor: float) -> str:
    """Scales the samples (asks for approval)."""
    scaled.append(factor)
    return f"scaled by {factor}"


def refuse(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")


async def test_a_result_with_nan_reaches_the_model_as_json_strings() -> None:
    model = ScriptedModel([[ToolCall("m1", "measure", {})], "done"])
    await Agent(model, [measure]).arun("go")
    result = model.requests[1].messages[-1]
    assert result.role == "tool" and not result.is_error
    value = json.loads(result.text, parse_constant=refuse)
    assert value == {"ratio": "NaN", "limits": ["-Infinity", "Infinity"], "n": 3}


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), [1.0, float("-inf")]])
async def test_approved_arguments_json_cannot_carry_are_refused(bad: object) -> None:
    scaled.clear()
    model = ScriptedModel([[ToolCall("s1", "scale", {"factor": 2.0})], "done"])
    agent = Agent(model, [scale])
    paused = await agent.arun("go")
    assert paused.state is not None
    with pytest.raises(ConfigurationError, match=r"s1.*NaN or an infinite number"):
        await agent.resume(paused.state, approvals={"s1": Approve(arguments={"factor": bad})})
    assert scaled == []
    # the refusal came before the state was claimed: it is still resumable
    result = await agent.resume(paused.state, approvals={"s1": Approve(arguments={"factor": 3})})
    assert scaled == [3.0] and math.isfinite(scaled[0]) and result.text == "done"
