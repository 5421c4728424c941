"""A run that fails in the middle of a turn leaves a conversation a provider accepts.

The emulator refuses, as OCI does, a history in which an assistant's tool call has no
result (400 InvalidParameter). A run cancelled while its tool runs answers each open call
of its last turn with an error (``exc.result.messages``); sent back over real HTTP as the
history of the next run, that conversation is accepted.
"""

from __future__ import annotations

import asyncio

import pytest

from locus.agent import Agent
from locus.core.errors import BadRequestError, RunCancelledError
from locus.core.messages import Message, ToolCall
from locus.models.providers.oci import OCIChatCompletionsModel, OCIModel
from tests.integration.conftest import OCIModelFactory

started = asyncio.Event()


async def hang(city: str) -> str:
    """Looks a city up, slowly."""
    started.set()
    await asyncio.Event().wait()
    return "never"


async def cancelled_run(model: OCIModel | OCIChatCompletionsModel) -> list[Message]:
    """The messages of a run cancelled while its tool call runs."""
    started.clear()
    agent = Agent(model, [hang])
    run = asyncio.ensure_future(agent.arun("Use hang for Paris"))
    async with asyncio.timeout(30):
        await started.wait()
    agent.cancel()
    with pytest.raises(RunCancelledError) as caught:
        await run
    messages: list[Message] = caught.value.result.messages
    return messages


async def test_the_history_of_a_run_cancelled_mid_turn_is_accepted(
    oci_model: OCIModelFactory,
) -> None:
    model = oci_model()
    history = await cancelled_run(model)
    calls = [c for m in history for c in m.tool_calls]
    results = [m for m in history if m.role == "tool"]
    assert len(calls) == 1 and [r.tool_call_id for r in results] == [calls[0].id]
    assert results[0].is_error and "cancelled" in results[0].text
    # sent back: the emulator checks every call is answered, as OCI does
    again = await Agent(model).arun("Thanks, that is all", message_history=history)
    assert again.stop_reason == "complete" and again.text


async def test_a_history_with_a_call_left_unanswered_is_refused(
    oci_model: OCIModelFactory,
) -> None:
    history = [
        Message.user("Use hang for Paris"),
        Message.assistant("", tool_calls=[ToolCall("call_open", "hang", {"city": "Paris"})]),
    ]
    with pytest.raises(BadRequestError, match="call_open"):
        await Agent(oci_model()).arun("Thanks, that is all", message_history=history)
