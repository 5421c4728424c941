"""A run that fails mid-turn leaves a partial result whose turns are whole.

Every tool call of the last answer has exactly one result message, in call order: the
result of a call that finished before the run ended, an error for one that did not.
Such a result's ``all_messages()`` can be sent again (providers refuse a tool call
without its result), and no finished call's result is lost.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from locus.agent import Agent, AgentResult, Hook, ToolCallFinished
from locus.agent._context import RunContext
from locus.core.errors import RunCancelledError, RunTimeoutError
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel
from locus.tools import tool
from tests.deadlines import within


@tool
async def fast() -> str:
    """Answers at once."""
    return "fast done"


@tool
async def hangs() -> str:
    """Never finishes."""
    await asyncio.Event().wait()
    return "never"


release = threading.Event()


@tool
def blocks() -> str:
    """A sync tool that blocks its thread until released."""
    release.wait(10)
    return "released"


CALLS = [ToolCall("a", "fast", {}), ToolCall("b", "hangs", {}), ToolCall("c", "blocks", {})]


def answered(result: AgentResult) -> list[tuple[str | None, bool, str]]:
    """The tool messages after the last answer: (call id, is_error, text)."""
    messages = result.messages
    start = max(i for i, m in enumerate(messages) if m.role == "assistant") + 1
    assert messages[start - 1].tool_calls == CALLS
    return [(m.tool_call_id, m.is_error, m.text) for m in messages[start:]]


def check_whole(result: AgentResult, why: str) -> None:
    (a, b, c) = answered(result)
    assert a == ("a", False, "fast done")
    for call_id, (got_id, is_error, text) in zip("bc", (b, c), strict=True):
        assert got_id == call_id and is_error
        assert text == f"Error: no result: the agent run {why} before the call returned"


class Seen(Hook):
    async def before_tool_call(self, ctx: RunContext, call: ToolCall) -> None:
        return None


@pytest.mark.parametrize("hooks", [[], [Seen()]])
async def test_a_timeout_mid_turn_answers_every_call(hooks: list[Hook]) -> None:
    release.clear()
    agent = Agent(ScriptedModel([CALLS, "unreached"]), [fast, hangs, blocks])
    with pytest.raises(RunTimeoutError) as info:
        await agent.arun("go", timeout=0.2, hooks=hooks)
    release.set()
    check_whole(info.value.result, "timed out")


async def test_a_cancel_mid_turn_answers_every_call_and_the_history_can_go_on() -> None:
    release.clear()
    agent = Agent(ScriptedModel([CALLS, "unreached"]), [fast, hangs, blocks])
    finished = asyncio.Event()

    async def drive() -> None:
        async for event in agent.run("go"):
            if isinstance(event, ToolCallFinished):
                finished.set()

    task = asyncio.create_task(drive())
    await within(finished.wait(), "a tool call finished")
    agent.cancel()
    with pytest.raises(RunCancelledError) as info:
        await task
    release.set()
    result = info.value.result
    check_whole(result, "was cancelled")

    later = ScriptedModel(["carried on"])
    history = result.all_messages()
    again = await Agent(later, [fast, hangs, blocks]).arun("and?", message_history=history)
    sent = later.requests[0].messages
    ids = [m.tool_call_id for m in sent if m.role == "tool"]
    assert ids == ["a", "b", "c"] and again.message == "carried on"
