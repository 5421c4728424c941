"""``ModelRequest``'s properties read what an agent run sent a test model: the system and
user prompts, the tools offered and the tool results being answered."""

from __future__ import annotations

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import ModelRequest, ScriptedModel
from locus.tools import tool


@tool
def get_forecast(city: str) -> str:
    """Tell the weather forecast for a city."""
    if city == "Atlantis":
        raise LookupError("no forecast for Atlantis")
    return f"Sunny in {city}."


@tool
def get_time(city: str) -> str:
    """Tell the time in a city."""
    return f"Noon in {city}."


def test_an_agent_run_s_requests_show_prompts_tools_and_the_results_answered() -> None:
    calls = [
        ToolCall("c1", "get_forecast", {"city": "Atlantis"}),
        ToolCall("c2", "get_time", {"city": "Paris"}),
    ]
    model = ScriptedModel([calls, "Done."])
    agent = Agent(model, tools=[get_time, get_forecast], system_prompt="Be brief.")
    agent.run_sync("Forecast for Atlantis, time in Paris?")
    first, second = model.requests
    assert first.system_prompt == second.system_prompt == "Be brief."
    assert first.user_prompt == second.user_prompt == "Forecast for Atlantis, time in Paris?"
    assert first.tool_names == ["get_time", "get_forecast"]
    assert first.tool_results == []
    results = second.tool_results
    assert [(m.tool_call_id, m.is_error) for m in results] == [("c1", True), ("c2", False)]
    assert "LookupError: no forecast for Atlantis" in results[0].text
    assert results[1].text == "Noon in Paris."


def test_only_the_trailing_tool_results_are_the_ones_answered() -> None:
    old_result = Message.tool("earlier", "c0", "get_time")
    request = ModelRequest(
        [
            Message.user("first"),
            Message.assistant(None, [ToolCall("c0", "get_time", {})]),
            old_result,
            Message.assistant("Noon."),
            Message.user("second"),
        ],
        [],
        {},
    )
    assert request.tool_results == []
    assert request.user_prompt == "second"
    request.messages += [
        Message.assistant(None, [ToolCall("c1", "get_time", {})]),
        Message.tool("now", "c1", "get_time"),
    ]
    assert [m.text for m in request.tool_results] == ["now"]


def test_a_request_without_system_or_user_message_or_tools() -> None:
    request = ModelRequest([Message.assistant("hi")], [], {})
    assert request.system_prompt is None
    assert request.user_prompt is None
    assert request.tool_names == []
    assert ModelRequest([], [ToolSpec("a"), ToolSpec("b")], {}).tool_names == ["a", "b"]
