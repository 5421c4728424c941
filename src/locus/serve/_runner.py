"""Starting an agent run for a request, counted by the server's ``ServeState``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from locus.agent import RunEvent, RunFinished
from locus.core.messages import Message
from locus.serve._state import ServeState

__all__ = ["RunRequest", "counted", "drain"]


@dataclass(slots=True)
class RunRequest:
    """What to run: a prompt, and either a thread or a history (or neither)."""

    prompt: Message
    thread_id: str | None = None
    history: list[Message] | None = None


async def counted(agent: Any, request: RunRequest, state: ServeState) -> AsyncIterator[RunEvent]:
    """The run's events; the run counts as active until this generator ends or is closed."""
    with state.run():
        events = agent.run(
            request.prompt, thread_id=request.thread_id, message_history=request.history
        )
        async with aclosing(events):
            async for event in events:
                yield event


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
