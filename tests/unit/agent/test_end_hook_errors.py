"""An ``on_run_end`` hook that raises: its error reaches the caller, and loses nothing.

The run has ended by then (a complete run has saved its thread). The hook's error is
raised with the run's result attached as ``error.result``: a complete run's output, or
a failed run's partial result whose ``error`` is the run's own error (a timeout).
Before, the result was lost and a run's timeout was seen only as ``__context__``.
"""

from __future__ import annotations

import asyncio

import pytest

from locus.agent import Agent, AgentResult, Hook, RunContext
from locus.core.errors import RunTimeoutError
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, ScriptedModel


class Broken(Exception):
    pass


class EndBreaks(Hook):
    def on_run_end(self, ctx: RunContext, result: AgentResult) -> None:
        raise Broken("the end hook broke")


async def test_a_complete_run_keeps_its_result_on_the_hook_error() -> None:
    agent = Agent(ScriptedModel(["the answer"]), hooks=[EndBreaks()])
    with pytest.raises(Broken) as info:
        await agent.arun("go")
    result = info.value.result  # type: ignore[attr-defined]
    assert result.stop_reason == "complete" and result.output == "the answer"


async def test_a_failed_run_keeps_its_own_error_in_the_result() -> None:
    async def hangs(messages: list[Message], tools: list[ToolSpec]) -> str:
        await asyncio.Event().wait()
        return "never"

    agent = Agent(FunctionModel(hangs), hooks=[EndBreaks()])
    with pytest.raises(Broken) as info:
        await agent.arun("go", timeout=0.05)
    result = info.value.result  # type: ignore[attr-defined]
    assert result.stop_reason == "timeout" and isinstance(result.error, RunTimeoutError)
