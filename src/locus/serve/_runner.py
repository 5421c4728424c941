"""Starting an agent run for a request, counted by the server's ``ServeState``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from locus.agent import RunEvent, RunFinished
from locus.core.errors import ThreadConflictError
from locus.core.messages import Message
from locus.serve._state import ServeState

__all__ = ["RunRequest", "counted", "drain", "finished"]


@dataclass(slots=True)
class RunRequest:
    """What to run: a prompt, and either a thread or a history (or neither)."""

    prompt: Message
    thread_id: str | None = None
    history: list[Message] | None = None


async def counted(
    agent: Any, request: RunRequest, state: ServeState, *, served_as: str = ""
) -> AsyncIterator[RunEvent]:
    """The run's events; the run counts as active until this generator ends or is closed.
    A prompt refused because a run waits for approval on its thread is refused with the
    HTTP ways to finish or drop that run (``served_as``: the agent's served name)."""
    with state.run():
        events = agent.run(
            request.prompt, thread_id=request.thread_id, message_history=request.history
        )
        try:
            async with aclosing(events):
                async for event in events:
                    yield event
        except ThreadConflictError:
            await _refuse_paused(agent, request, served_as)
            raise


async def finished(
    agent: Any, request: RunRequest, state: ServeState, *, served_as: str = ""
) -> Any:
    """The run's ``AgentResult``, for an answer sent whole: the agent's ``arun`` (no one
    reads the events, so a model stream that breaks midway is sent again, which a
    streamed run, whose text the client has seen, cannot do); counted as ``counted``."""
    arun = getattr(agent, "arun", None)
    if arun is None:  # an agent-like object with only ``run``
        return await drain(counted(agent, request, state, served_as=served_as))
    with state.run():
        try:
            return await arun(
                request.prompt, thread_id=request.thread_id, message_history=request.history
            )
        except ThreadConflictError:
            await _refuse_paused(agent, request, served_as)
            raise


async def _refuse_paused(agent: Any, request: RunRequest, served_as: str) -> None:
    """Raise the refusal naming the HTTP ways to finish or drop the run paused on the
    request's thread, when that is why the thread was busy."""
    if served_as and request.thread_id is not None:
        from locus.serve._paused import paused_conflict

        found = await paused_conflict(served_as, agent, request.thread_id)
        if found is not None:
            raise found from None


async def drain(events: AsyncIterator[RunEvent]) -> Any:
    """Run to the end and return the ``AgentResult`` (the run's error is raised)."""
    result = None
    async with aclosing(events):  # type: ignore[type-var]
        async for event in events:
            if isinstance(event, RunFinished):
                result = event.result
    if result is None:  # pragma: no cover - a run that does not raise ends with RunFinished
        raise RuntimeError("agent run ended without a result")
    return result
