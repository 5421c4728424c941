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

__all__ = ["RunRequest", "counted", "drain"]


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
            if served_as and request.thread_id is not None:
                from locus.serve._paused import paused_conflict

                found = await paused_conflict(served_as, agent, request.thread_id)
                if found is not None:
                    raise found from None
            raise


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
