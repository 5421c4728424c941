"""Temporal refuses a payload over 2 MiB (by default), and a workflow task that would record
one fails, again and again: the run is stuck, neither finished nor failed. On a real Temporal
dev server: a prompt or approved arguments that are too large are refused before they are
sent; a tool result too large to record is a tool error the model reads; a run whose result
(the whole conversation) outgrows a payload fails, typed, with its history and events kept,
instead of being stuck."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError

from locus.agent import Agent
from locus.core.errors import ConfigurationError, RunError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.durable.temporal import create_worker, run, start_run
from locus.durable.temporal._sizes import MAX_PAYLOAD_BYTES
from locus.testing import FunctionModel
from locus.tools import tool
from tests.deadlines import wait_until, within
from tests.integration.durable.test_deps import turns

MIB = 1024 * 1024


@tool
def part(n: int) -> str:
    """A part of a long document: 600 KiB of text."""
    return str(n) * (600 * 1024)


@tool
def everything() -> str:
    """The whole document at once: 3 MiB of text."""
    return "x" * (3 * MIB)


@tool(requires_approval=True)
def pay(amount: int) -> str:
    """Pay an amount."""
    return f"paid {amount}"


def _read_four_parts(messages: list[Message], tools: list[ToolSpec]) -> Any:
    """Reads four parts, one per turn, then says how many it read (a short answer: the
    result is large for the conversation it carries, 2.4 MB of tool results)."""
    read = sum(1 for m in messages if m.role == "tool")
    return [ToolCall(f"c{read}", "part", {"n": read})] if read < 4 else f"Read {read} parts."


AGENTS: dict[str, Agent[Any]] = {
    "parts": Agent(
        FunctionModel(_read_four_parts),
        tools=[part],
        name="reader",
        max_tool_result_chars=10 * MIB,
    ),
    "everything": Agent(
        turns([ToolCall("e1", "everything", {})]),
        tools=[everything],
        name="gulper",
        max_tool_result_chars=10 * MIB,
    ),
    "pay": Agent(turns([ToolCall("p1", "pay", {"amount": 3})]), tools=[pay], name="payer"),
}


@asynccontextmanager
async def worker(client: Client) -> AsyncIterator[tuple[str, str]]:
    prefix, queue = f"tests.limits{uuid.uuid4().hex[:8]}", f"q-{uuid.uuid4().hex[:8]}"
    agents = {f"{prefix}:{key}": agent for key, agent in AGENTS.items()}
    async with create_worker(client, task_queue=queue, agents=agents):
        yield prefix, queue


async def test_a_prompt_over_the_payload_limit_is_refused_before_the_run_starts(
    client: Client,
) -> None:
    run_id = f"locus-run-{uuid.uuid4().hex}"
    with pytest.raises(ConfigurationError) as raised:
        await start_run(client, "x.y:z", "y" * (3 * MIB), task_queue="nowhere", run_id=run_id)
    assert "payload limit" in str(raised.value) and "prompt" in str(raised.value)
    with pytest.raises(RPCError, match="not found"):
        await client.get_workflow_handle(run_id).describe()


async def test_approved_arguments_that_cannot_be_recorded_are_refused_and_the_call_waits(
    client: Client,
) -> None:
    async with worker(client) as (prefix, queue):
        started = await start_run(client, f"{prefix}:pay", "Pay 3.", task_queue=queue)
        await wait_until(started.pending, "a call of the run waits for a decision")
        with pytest.raises(ConfigurationError, match=r"arguments\['amount'\] is of type date"):
            await started.approve("p1", arguments={"amount": datetime.date(2026, 1, 1)})
        with pytest.raises(ConfigurationError, match="over the limit"):
            await started.approve("p1", arguments={"amount": "9" * (3 * MIB)})
        assert [call.id for call in await started.pending()] == ["p1"]  # it still waits
        await started.approve("p1", arguments={"amount": 4})
        result = await within(started.result(), "the run's result", 30)
    assert result.text == "Done: paid 4"


async def test_a_tool_result_too_large_to_record_is_a_tool_error_the_model_reads(
    client: Client,
) -> None:
    async with worker(client) as (prefix, queue):
        result = await within(
            run(client, f"{prefix}:everything", "Read it all.", task_queue=queue),
            "the run's result",
            30,
        )
    [message] = [m for m in result.messages if m.role == "tool"]
    assert message.is_error and message.text.startswith("Error: tool 'everything' returned")
    assert f"over the {MAX_PAYLOAD_BYTES} bytes" in message.text
    assert "max_tool_result_chars" in message.text
    assert result.text.startswith("Done: Error: tool 'everything' returned")


async def test_a_run_whose_result_outgrows_a_payload_fails_typed_instead_of_sticking(
    client: Client,
) -> None:
    async with worker(client) as (prefix, queue):
        started = await start_run(client, f"{prefix}:parts", "Read.", task_queue=queue)
        with pytest.raises(RunError) as raised:
            await within(started.result(), "the run's result", 30)
        message = str(raised.value)
        assert "result" in message and "payload limit" in message
        assert "history_processor" in message and "DurableRun" in message
        finished = [e for e in await started.events() if e["kind"] == "tool_call_finished"]
    assert len(finished) == 4  # the work is kept: every tool result is in the events
    assert (await started.handle.describe()).status == WorkflowExecutionStatus.FAILED
