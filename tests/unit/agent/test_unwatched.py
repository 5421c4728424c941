"""Which runs tell the model's stream that no one reads it (``_streaming.unwatched``).

``arun``/``run_sync``/``resume`` drain their events, so an HTTP model may retry a stream
that broke midway (tests/integration/reliability/test_unwatched_retry.py). A streamed
``run()`` does not; nor does the flag reach the run's hooks or tools, which may stream
runs of their own that someone reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from locus.agent import Agent, Approve, Hook, ModelTextDelta, RunContext, RunFinished
from locus.core.messages import Message, ToolCall
from locus.core.response import ModelResponse, StreamEvent
from locus.core.usage import Usage
from locus.models.http._streaming import unwatched
from locus.tools import tool


class Recording:
    """A model that answers with one tool call, then text in three deltas; it records
    the flag as each of its streams starts and ends."""

    model_id = "recording"

    def __init__(self, tool_name: str = "note") -> None:
        self.tool_name = tool_name
        self.seen: list[tuple[bool, bool]] = []

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        raise AssertionError("the agent streams")

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        first = unwatched.get()
        usage = Usage(prompt_tokens=3, completion_tokens=2, total_tokens=5)
        if messages[-1].role != "tool":
            call = ToolCall("c1", self.tool_name, {"text": "x"})
            response = ModelResponse(Message.assistant("", tool_calls=[call]), usage=usage)
        else:
            for piece in ("one ", "two ", "three"):
                yield StreamEvent(content=piece)
            response = ModelResponse(Message.assistant("one two three"), usage=usage)
        self.seen.append((first, unwatched.get()))
        yield StreamEvent.final(response)


class Looks(Hook):
    """Records the flag where hooks run."""

    def __init__(self) -> None:
        self.seen: list[bool] = []

    def before_model_call(self, ctx: RunContext[Any], request: Any) -> None:
        self.seen.append(unwatched.get())

    def after_model_call(self, ctx: RunContext[Any], response: ModelResponse) -> None:
        self.seen.append(unwatched.get())


in_tools: list[bool] = []


@tool
def note(text: str) -> str:
    """Note a text."""
    in_tools.append(unwatched.get())
    return "noted"


@tool(requires_approval=True)
def guarded_note(text: str) -> str:
    """Note a text, once approved."""
    in_tools.append(unwatched.get())
    return "noted"


def _agent(model: Recording, hooks: Looks, *tools: Any) -> Agent[str]:
    return Agent(model, tools=list(tools) or [note], hooks=[hooks])


async def test_arun_reads_each_stream_unwatched_and_nothing_else_sees_the_flag() -> None:
    model, hooks = Recording(), Looks()
    in_tools.clear()
    result = await _agent(model, hooks).arun("go")
    assert result.text == "one two three"
    assert dict(result.usage) == {"prompt_tokens": 6, "completion_tokens": 4, "total_tokens": 10}
    assert model.seen == [(True, True), (True, True)]
    assert hooks.seen == [False] * 4 and in_tools == [False]
    assert unwatched.get() is False  # (reset once the answer is read)


def test_run_sync_reads_each_stream_unwatched() -> None:
    model, hooks = Recording(), Looks()
    assert _agent(model, hooks).run_sync("go").text == "one two three"
    assert model.seen == [(True, True), (True, True)]


async def test_a_streamed_run_is_watched_and_yields_the_deltas() -> None:
    model, hooks = Recording(), Looks()
    texts = [e.text async for e in _agent(model, hooks).run("go") if isinstance(e, ModelTextDelta)]
    assert texts == ["one ", "two ", "three"]
    assert model.seen == [(False, False), (False, False)]


async def test_resume_reads_unwatched_and_resume_stream_watched() -> None:
    for drained in (True, False):
        model, hooks = Recording("guarded_note"), Looks()
        agent = _agent(model, hooks, guarded_note)
        paused = await agent.arun("go")
        assert paused.stop_reason == "awaiting_approval", paused.stop_reason
        model.seen.clear()
        approvals = {paused.pending[0].id: Approve()}
        if drained:
            result = await agent.resume(paused.state, approvals=approvals)
        else:
            events = agent.resume_stream(paused.state, approvals=approvals)
            finished = [e async for e in events if isinstance(e, RunFinished)]
            result = finished[0].result
        assert result.text == "one two three"
        assert model.seen == [(drained, drained)]
