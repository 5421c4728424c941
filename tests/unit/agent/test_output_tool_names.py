"""A tool of the agent named like a run's output tool (``final_result``...).

The model would be offered two tools of one name (a provider may refuse the request,
and the model cannot tell them apart), and every call of that name was taken as the
output: the agent's own tool never ran. The run refuses to start instead, with a
``ConfigurationError`` that says which tool to rename.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel
from locus.tools import tool


class Total(BaseModel):
    value: int


class Count(BaseModel):
    items: int


@tool
def final_result(a: int) -> int:
    """The agent's own tool, unluckily named."""
    return a


@tool
def final_result_Count(a: int) -> int:  # (the name of a union member's output tool)
    """Another unlucky name."""
    return a


@pytest.mark.parametrize(
    ("output_type", "clashing"), [(Total, final_result), (Total | Count, final_result_Count)]
)
async def test_a_tool_named_like_the_output_tool_is_refused(
    output_type: object, clashing: object
) -> None:
    model = ScriptedModel([ToolCall("c1", "final_result", {"a": 1}), "unreached"])
    agent = Agent(model, [clashing], output_mode="tool")
    name = clashing.name  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError, match=rf"tool {name!r} .* output tool") as info:
        await agent.arun("go", output_type=output_type)
    assert "rename" in str(info.value) and model.position == 0  # nothing was sent


async def test_without_typed_output_the_name_is_free() -> None:
    model = ScriptedModel([ToolCall("c1", "final_result", {"a": 1}), "done"])
    result = await Agent(model, [final_result]).arun("go")
    assert result.messages[-2].text == "1" and not result.messages[-2].is_error
