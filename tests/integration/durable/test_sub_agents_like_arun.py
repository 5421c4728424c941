"""Sub-agents in a durable run answer as they do in ``agent.arun``, on a real Temporal dev
server with a worker in this process and ``FunctionModel``s: a sub-agent that calls its own
sub-agent, with a typed output (``as_tool(output_type=)``); the same tool messages, text,
usage and ``metrics.sub_runs``, and the same events (a sub-sub-run's wrapped twice); a
sub-agent that hands off to an agent whose gated call waits with the path ``arun`` gives
its paused call; the depth limit and a failing sub-run as the tool errors ``arun`` gives."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import pydantic
from temporalio.client import Client

from locus.agent import Agent, AgentResult, Approve
from locus.agent._events import RunEvent, SubAgentEvent
from locus.core.errors import BadRequestError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.durable.temporal import _wire as wire
from locus.durable.temporal import create_worker, start_run
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import wait_until, within

RAN: list[str] = []


@tool
def price(item: str) -> int:
    """The price of an item, in euros."""
    RAN.append(f"price {item}")
    return 12


@tool(requires_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    RAN.append(f"refund {order}")
    return f"refunded {order}"


class Quote(pydantic.BaseModel):
    item: str
    price: int


def then(first: Sequence[ToolCall], last: Callable[[list[str]], Any]) -> FunctionModel:
    """A model that asks for ``first``, then answers ``last(tool results)`` (results of its
    own calls: an agent handed off to asks for its calls after the transfer's result)."""
    names = {call.name for call in first}

    def answer(messages: list[Message], tools: list[ToolSpec]) -> Any:
        results = [m.text for m in messages if m.role == "tool" and m.name in names]
        return last(results) if results else list(first)

    return FunctionModel(answer)


def tool_messages(result: AgentResult[Any]) -> list[tuple[str | None, str, bool]]:
    return [(m.name, m.text, m.is_error) for m in result.messages if m.role == "tool"]


def as_json(event: RunEvent) -> dict[str, Any]:
    """An ``agent.run()`` event as a durable run shows it."""
    if isinstance(event, SubAgentEvent):
        return wire.sub_event_json(event.agent_name, event.call_id, as_json(event.event))
    return wire.event_to_json(event)


def outline(events: Sequence[dict[str, Any]]) -> list[tuple[tuple[str, ...], str]]:
    """Each event's wrappers (agent/call id) and kind; text deltas left out (a durable run
    has one per model call, ``agent.run()`` one per chunk)."""
    found = []
    for event in events:
        wrappers = []
        while event["kind"] == "sub_agent_event":
            wrappers.append(f"{event['agent_name']}/{event['call_id']}")
            event = event["event"]
        if event["kind"] != "model_text_delta":
            found.append((tuple(wrappers), str(event["kind"])))
    return found


async def durably(
    client: Client, agent: Agent[Any], prompt: str
) -> tuple[AgentResult[Any], list[dict[str, Any]]]:
    queue, name = f"q-{uuid.uuid4().hex[:8]}", f"tests.durable_sub:{uuid.uuid4().hex[:8]}"
    async with create_worker(client, task_queue=queue, agents={name: agent}):
        durable = await start_run(client, name, prompt, task_queue=queue)
        result = await within(durable.result(), "the run's result")
        return result, await durable.events()


async def test_nested_sub_agents_with_a_typed_output_answer_as_arun_does(client: Client) -> None:
    auditor = Agent(
        then([ToolCall("a1", "price", {"item": "lamp"})], lambda r: f"the lamp costs {r[0]}"),
        tools=[price],
        name="auditor",
    )
    quote = ToolCall("c2", "final_result", {"item": "lamp", "price": 12})
    clerk = Agent(
        then([ToolCall("c1", "auditor", {"input": "price a lamp"})], lambda r: [quote]),
        tools=[auditor.as_tool()],
        name="clerk",
    )
    desk = Agent(
        then([ToolCall("d1", "clerk", {"input": "quote a lamp"})], lambda r: f"Done: {r[0]}"),
        tools=[clerk.as_tool(output_type=Quote)],
        name="desk",
    )
    RAN.clear()
    events = [as_json(event) async for event in desk.run("Quote a lamp.")]
    plain = await desk.arun("Quote a lamp.")
    durable, shown = await durably(client, desk, "Quote a lamp.")
    assert durable.text == plain.text == 'Done: {"item":"lamp","price":12}'
    assert tool_messages(durable) == tool_messages(plain)
    assert durable.usage == plain.usage and durable.metrics.sub_runs == 2
    assert RAN == ["price lamp"] * 3  # once per run
    assert outline(shown) == outline(events)
    assert (("clerk/d1", "auditor/c1"), "tool_call_finished") in outline(shown)


async def test_a_handed_off_sub_agents_gated_call_waits_with_arun_s_path(client: Client) -> None:
    billing = Agent(
        then([ToolCall("b1", "refund", {"order": "A17"})], lambda r: f"billing: {r[-1]}"),
        tools=[refund],
        name="billing",
    )
    clerk = Agent(
        then([ToolCall("c1", "transfer_to_billing", {})], lambda r: "unused"),
        handoffs=[billing],
        name="clerk",
    )
    desk = Agent(
        then([ToolCall("d1", "clerk", {"input": "refund A17"})], lambda r: f"Done: {r[0]}"),
        tools=[clerk.as_tool()],
        name="desk",
    )
    RAN.clear()
    paused = await desk.arun("Refund A17.")
    plain = await desk.resume(paused.state, approvals={p.id: Approve() for p in paused.pending})
    queue, name = f"q-{uuid.uuid4().hex[:8]}", f"tests.durable_sub:{uuid.uuid4().hex[:8]}"
    async with create_worker(client, task_queue=queue, agents={name: desk}):
        durable = await start_run(client, name, "Refund A17.", task_queue=queue)
        pending = await wait_until(durable.pending, "a call of the run waits for a decision")
        assert [(p.id, p.tool, p.path) for p in pending] == [("d1/b1", "refund", ("billing",))]
        assert [p.path for p in pending] == [p.path for p in paused.pending]
        await durable.approve("d1/b1")
        result = await within(durable.result(), "the run's result")
    assert result.text == plain.text == "Done: billing: refunded A17"
    assert tool_messages(result) == tool_messages(plain) and RAN == ["refund A17"] * 2


async def test_the_depth_limit_and_a_failed_sub_run_are_arun_s_tool_errors(
    client: Client,
) -> None:
    def broken(messages: list[Message], tools: list[ToolSpec]) -> Any:
        raise BadRequestError("no such model", status=400)

    inner = Agent(FunctionModel(broken), name="inner")
    clerk = Agent(
        then([ToolCall("c1", "inner", {"input": "go"})], lambda r: f"clerk: {r[0]}"),
        tools=[inner.as_tool(max_depth=1)],  # called one level down: over the limit
        name="clerk",
    )
    failing = Agent(FunctionModel(broken), name="failing")
    desk = Agent(
        then(
            [ToolCall("d1", "clerk", {"input": "go"}), ToolCall("d2", "failing", {"input": "go"})],
            lambda r: "Done: " + " | ".join(r),
        ),
        tools=[clerk.as_tool(), failing.as_tool()],
        name="desk",
    )
    plain = await desk.arun("Go.")
    durable, _ = await durably(client, desk, "Go.")
    assert tool_messages(durable) == tool_messages(plain)
    (_, nested, _), (_, failed, is_error) = tool_messages(durable)
    assert "agents used as tools are nested 1 deep, the limit (max_depth=1)" in nested
    assert failed.startswith("Error: tool 'failing' raised BadRequestError") and is_error
    assert durable.text == plain.text
