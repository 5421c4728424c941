"""A tool raising ``KeyboardInterrupt``, ``SystemExit`` or another ``BaseException``.

They are not tool failures: they end the run and reach the caller as raised (a Ctrl-C
stays a Ctrl-C), with the partial result attached as ``exc.result`` and ``on_run_end``
called once, as for any other run-ending error. A hook must never turn them into
something else.
"""

from __future__ import annotations

import pytest

from locus.agent import Agent, AgentResult, Hook, RunContext
from locus.core.messages import ToolCall
from locus.testing import ScriptedModel
from locus.tools import tool


class Stop(BaseException):
    """A control-flow exception of some library (not an ``Exception``)."""


RAISED: dict[str, BaseException] = {
    "interrupt": KeyboardInterrupt(),
    "exit": SystemExit(3),
    "stop": Stop("from a library"),
}


@tool
def sync_raise(kind: str) -> str:
    """Raises the exception named ``kind`` in a tool thread."""
    raise RAISED[kind]


@tool
async def async_raise(kind: str) -> str:
    """Raises the exception named ``kind`` in the run's loop."""
    raise RAISED[kind]


class Ends(Hook):
    def __init__(self) -> None:
        self.ended: list[AgentResult] = []

    async def on_run_end(self, ctx: RunContext, result: AgentResult) -> None:
        self.ended.append(result)


@pytest.mark.parametrize("kind", sorted(RAISED))
@pytest.mark.parametrize("tool_name", ["sync_raise", "async_raise"])
async def test_it_reaches_the_caller_as_raised_with_the_partial_result(
    kind: str, tool_name: str
) -> None:
    hook = Ends()
    model = ScriptedModel([ToolCall("c1", tool_name, {"kind": kind}), "unreached"])
    agent = Agent(model, [sync_raise, async_raise], hooks=[hook])
    with pytest.raises(type(RAISED[kind])) as info:
        await agent.arun("go")
    assert info.value is RAISED[kind]
    result = info.value.result  # type: ignore[attr-defined]
    assert isinstance(result, AgentResult) and result.stop_reason == "error"
    assert result.error is RAISED[kind]
    assert [r.stop_reason for r in hook.ended] == ["error"]
    assert result.messages[-1].tool_call_id == "c1" and result.messages[-1].is_error
