"""``RemoteAgent.as_tool``: a Locus agent calls a remote A2A agent as a tool; what the
calling model reads back, and the remote conversation kept per calling thread or run."""

from __future__ import annotations

from locus.a2a import RemoteAgent
from locus.agent import Agent, AgentResult
from locus.core.messages import Message, ToolCall
from locus.testing import ScriptedModel
from locus.tools import Tool
from tests.unit.a2a.conftest import TOKEN


def results(result: AgentResult[object]) -> list[tuple[str, bool]]:
    """The tool results the calling model read: text, and whether each was an error."""
    return [(m.text, m.is_error) for m in result.messages if m.role == "tool"]


def caller(tool: Tool[..., object], *inputs: str) -> Agent:
    """An agent whose model calls ``tool`` once per input, in turn, then says done."""
    calls = [ToolCall(f"c{i}", tool.name, {"input": text}) for i, text in enumerate(inputs)]
    return Agent(ScriptedModel([*calls, "done"]), tools=[tool])


async def test_the_tool_is_named_and_described_from_the_card(town: str) -> None:
    tool = RemoteAgent(town).as_tool()
    assert tool.name == "Town_weather"
    assert tool.description == (
        "Tells the weather of a town.\n\nIts skills:\n- weather: The weather of a town."
    )
    assert tool.spec.parameters["required"] == ["input"]
    named = RemoteAgent(town, name="forecaster").as_tool(description="Weather.")
    assert (named.name, named.description) == ("forecaster", "Weather.")


def test_with_a_name_and_description_the_card_is_read_on_the_first_call(closed_port: str) -> None:
    tool = RemoteAgent(closed_port).as_tool("later", "Read later.")  # (nothing listens)
    assert tool.name == "later"


async def test_the_answer_is_the_tool_result(town: str) -> None:
    tool = RemoteAgent(town).as_tool()
    result = await caller(tool, "hello").arun("Ask the town agent.")
    assert results(result) == [("echo: hello", False)]
    assert result.message == "done"


async def test_a_data_answer_is_its_json(town: str) -> None:
    result = await caller(RemoteAgent(town).as_tool(), "data").arun("Read it.")
    assert results(result) == [('{"temperature": 21.0}', False)]


async def test_calls_of_one_run_share_a_remote_context_a_new_run_gets_its_own(town: str) -> None:
    tool = RemoteAgent(town).as_tool()
    first = await caller(tool, "count", "count").arun("Count twice.")
    assert results(first) == [
        ("message 1 of this context", False),
        ("message 2 of this context", False),
    ]
    second = await caller(tool, "count").arun("Count once.")
    assert results(second) == [("message 1 of this context", False)]


async def test_runs_on_one_thread_share_the_remote_context(locus_peer: str) -> None:
    tool = RemoteAgent(f"{locus_peer}/a2a/helper", token=TOKEN).as_tool()
    agent = Agent(
        ScriptedModel(
            [
                ToolCall("a", "helper", {"input": "I am Ada."}),
                "ok",
                ToolCall("b", "helper", {"input": "Who am I?"}),
                "ok",
            ]
        ),
        tools=[tool],
    )
    await agent.arun("first", thread_id="t-1")
    later = await agent.arun("second", thread_id="t-1")
    assert results(later)[-1] == ("you said 2 things; last: Who am I?", False)


async def test_without_keep_context_each_call_is_a_new_conversation(town: str) -> None:
    tool = RemoteAgent(town).as_tool(keep_context=False)
    result = await caller(tool, "count", "count").arun("Count twice.")
    assert results(result) == [("message 1 of this context", False)] * 2


async def test_a_failed_task_is_an_error_the_model_reads(town: str) -> None:
    result = await caller(RemoteAgent(town).as_tool(), "fail", "reject").arun("Try.")
    assert results(result) == [
        ("Error: the remote agent did not do the task (failed): the weather service is down", True),
        ("Error: the remote agent did not do the task (rejected): I only do weather", True),
    ]
    assert result.message == "done"


async def test_input_required_is_an_error_saying_what_and_the_next_call_answers_it(
    town: str,
) -> None:
    result = await caller(RemoteAgent(town).as_tool(), "weather", "Lisbon").arun("Weather?")
    assert results(result) == [
        (
            "Error: the remote agent needs input before it can go on: Which city? (ask the "
            "user for it, then call Town_weather again with the answer)",
            True,
        ),
        ("Sunny in Lisbon.", False),
    ]


async def test_a_remote_paused_for_approval_is_an_error_naming_the_calls(locus_peer: str) -> None:
    tool = RemoteAgent(f"{locus_peer}/a2a/helper", token=TOKEN).as_tool()
    [(text, is_error)] = results(await caller(tool, "refund").arun("Refund E5."))
    assert is_error
    assert text.startswith(
        "Error: the remote agent waits for a person to approve its calls: waiting for "
        "approval of refund({'order': 'E5'})"
    )
    assert "/v1/agents/helper/runs/" in text and text.endswith("tell the user)")


async def test_a_missing_token_is_an_error_saying_to_pass_it(locus_peer: str) -> None:
    tool = RemoteAgent(f"{locus_peer}/a2a/helper").as_tool("helper", "Helps.")
    [(text, is_error)] = results(await caller(tool, "hello").arun("Hi."))
    assert is_error
    assert text.startswith(
        "Error: the remote agent could not be asked: AuthenticationError: the remote agent at "
        f"{locus_peer}/a2a/helper/.well-known/agent-card.json answered HTTP 401"
    )
    assert "pass RemoteAgent(url, token=...)" in text


async def test_an_unreachable_agent_is_an_error_the_model_reads(closed_port: str) -> None:
    tool = RemoteAgent(closed_port).as_tool("away", "Not there.")
    [(text, is_error)] = results(await caller(tool, "hello").arun("Hi."))
    assert is_error
    assert text.startswith(
        f"Error: the remote agent could not be asked: ConnectError: cannot reach the remote "
        f"agent at {closed_port}/.well-known/agent-card.json"
    )


def test_the_tool_works_under_run_sync(town: str) -> None:
    result = caller(RemoteAgent(town).as_tool(), "hello").run_sync("Ask.")
    assert results(result) == [("echo: hello", False)]
    assert isinstance(result.messages[-1], Message)
