"""A run whose events no caller reads retries a stream that broke midway; one read does not.

``agent.arun()`` and ``run_sync()`` stream the model's answer but show no one its
deltas, so a stream that breaks after some of them (a reset, a malformed event, an error
event) is sent again within the model's retry budget, as ``complete()`` sends a whole
answer again. ``agent.run()`` has yielded the text to its caller: it fails without a
retry. The emulator breaks exactly the attempts a test names (a fault per request).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from locus.agent import Agent, Hook, ModelTextDelta, RunContext
from locus.core.errors import StreamError
from locus.core.response import ModelResponse
from locus.emulator import Emulator
from tests.integration.conftest import OCIModelFactory

PROMPT = "Count from 1 to 5, separated by commas."
ANSWER = "1, 2, 3, 4, 5"
USAGE = {"prompt_tokens": 8, "completion_tokens": 5, "total_tokens": 13}
BROKEN = ["reset_during", "malformed_event", "error_event"]
ERRORS = {
    "reset_during": r"the stream from \S+ broke",
    "malformed_event": r"stream event data from \S+ is not valid JSON",
    "error_event": r"the model reported an error during the stream",
}


class Counted(Hook):
    """Counts the model-call hooks of a run."""

    def __init__(self) -> None:
        self.before = self.after = 0

    def before_model_call(self, ctx: RunContext[Any], request: Any) -> None:
        self.before += 1

    def after_model_call(self, ctx: RunContext[Any], response: ModelResponse) -> None:
        self.after += 1


def check_retried_once(emu: Emulator, kind: str) -> None:
    assert emu.fired_faults == {kind: 1}  # the fault really broke the first stream ...
    assert len(emu.requests) == 2  # ... and the call was sent once more


@pytest.mark.parametrize("kind", BROKEN)
async def test_arun_retries_a_stream_broken_midway(
    emu: Emulator, oci_model: OCIModelFactory, kind: str
) -> None:
    hooks = Counted()
    agent = Agent(oci_model(), hooks=[hooks])
    emu.set_faults([kind, "ok"])
    result = await agent.arun(PROMPT)
    check_retried_once(emu, kind)
    assert result.text == ANSWER
    assert dict(result.usage) == USAGE  # the finished attempt's usage, once
    assert result.metrics.model_calls == 1 and result.metrics.total_tokens == 13
    assert [m.role for m in result.messages] == ["user", "assistant"]
    assert result.messages[-1].text == ANSWER
    assert (hooks.before, hooks.after) == (1, 1)  # one model call, as complete()'s retries


@pytest.mark.parametrize("kind", BROKEN)
async def test_run_sync_retries_a_stream_broken_midway(
    emu: Emulator, oci_model: OCIModelFactory, kind: str
) -> None:
    agent = Agent(oci_model())
    emu.set_faults([kind, "ok"])
    result = await asyncio.to_thread(agent.run_sync, PROMPT)
    check_retried_once(emu, kind)
    assert result.text == ANSWER
    assert dict(result.usage) == USAGE
    assert result.metrics.model_calls == 1


@pytest.mark.parametrize("kind", BROKEN)
async def test_a_streamed_run_that_showed_text_is_not_retried(
    emu: Emulator, oci_model: OCIModelFactory, kind: str
) -> None:
    agent = Agent(oci_model())
    emu.set_faults([kind, "ok"])
    shown: list[str] = []
    with pytest.raises(StreamError, match=ERRORS[kind]) as caught:
        async for event in agent.run(PROMPT):
            if isinstance(event, ModelTextDelta):
                shown.append(event.text)
    assert shown and ANSWER.startswith("".join(shown))  # the caller saw part of the answer
    assert len(emu.requests) == 1  # and it was not sent again (no text shown twice)
    assert caught.value.result.stop_reason == "error"


@pytest.mark.parametrize("kind", BROKEN)
async def test_arun_with_its_retries_spent_raises_the_stream_error(
    emu: Emulator, oci_model: OCIModelFactory, kind: str
) -> None:
    agent = Agent(oci_model())  # two retries (the folder's RetryPolicy)
    emu.set_faults([kind, kind, kind, "ok"])
    with pytest.raises(StreamError, match=ERRORS[kind]) as caught:
        await agent.arun(PROMPT)
    assert emu.fired_faults == {kind: 3} and len(emu.requests) == 3
    partial = caught.value.result
    assert partial.stop_reason == "error" and partial.metrics.model_calls == 1
    assert dict(partial.usage) == {} and [m.role for m in partial.messages] == ["user"]


async def test_arun_retries_a_stream_broken_in_a_later_model_call(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    """The tool ran once and every usage is counted once, a broken answer and all."""
    calls: list[tuple[int, int]] = []

    def add_two_numbers(a: int, b: int) -> int:
        """Add two numbers."""
        calls.append((a, b))
        return a + b

    agent = Agent(oci_model(), tools=[add_two_numbers])
    clean = await agent.arun("Use add_two_numbers to add 7 and 35.")
    calls.clear()
    emu.reset()
    emu.set_faults(["ok", "reset_during", "ok"])  # the answer after the tool breaks once
    result = await agent.arun("Use add_two_numbers to add 7 and 35.")
    assert emu.fired_faults == {"reset_during": 1} and len(emu.requests) == 3
    assert calls == [(7, 35)]
    assert result.text == clean.text and "42" in result.text
    assert dict(result.usage) == dict(clean.usage)
    assert result.metrics.model_calls == 2 and result.metrics.tool_calls == 1
    assert [m.role for m in result.messages] == [m.role for m in clean.messages]
