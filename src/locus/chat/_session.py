"""A chat session: the agent, the current thread, and the turn in progress."""

from __future__ import annotations

import asyncio
import signal
import uuid
from contextlib import aclosing, suppress
from typing import Any, TextIO

from locus.chat._render import Renderer, short

__all__ = ["HELP", "ChatSession"]

HELP = (
    "commands: /new (new thread)  /thread ID (continue one)  /resume (answer the approvals "
    "the thread waits for)  /abandon (drop that run)  /exit  — Ctrl-C cancels a run"
)


def new_thread_id() -> str:
    return f"chat-{uuid.uuid4().hex[:12]}"


class ChatSession:
    """Runs turns of one agent on a thread, printing as they stream."""

    def __init__(self, agent: Any, out: TextIO) -> None:
        self.agent = agent
        self.out = out
        self.thread_id = new_thread_id()
        self.name = getattr(agent, "name", None) or "agent"
        output_type = getattr(agent, "output_type", None)
        self.structured = output_type is not None and output_type is not str

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def waiting(self) -> Any:
        """The current thread's run that waits for approval (a ``RunState``), or ``None``."""
        paused = getattr(self.agent, "paused", None)
        if paused is None:
            return None
        return await self._guarded(paused(self.thread_id))

    async def announce_waiting(self) -> bool:
        """Say so when the current thread has a run waiting for approval; whether it has."""
        state = await self.waiting()
        if state is None or not state.pending:
            return False
        calls = ", ".join(" › ".join((*p.path, p.tool)) for p in state.pending)
        self.say(
            f"[thread {self.thread_id} has a run waiting for approval of {calls}: "
            "/resume to answer it, /abandon to drop it]"
        )
        return True

    async def abandon(self) -> None:
        dropped = await self._guarded(self.agent.abandon(self.thread_id))
        if dropped:
            self.say(f"[dropped the run waiting on thread {self.thread_id}; its calls never ran]")
        elif dropped is not None:
            self.say(f"[thread {self.thread_id} has no run waiting for approval]")

    async def turn(self, prompt: str) -> Any:
        """One run, cancelled by Ctrl-C (SIGINT) while it lasts; its result or ``None``."""
        task = asyncio.ensure_future(self._stream(self.agent.run(prompt, thread_id=self.thread_id)))
        return await self._interruptible(task)

    async def resume(self, approvals: dict[str, Any]) -> Any:
        events = self.agent.resume_stream(None, thread_id=self.thread_id, approvals=approvals)
        return await self._interruptible(asyncio.ensure_future(self._stream(events)))

    async def _guarded(self, work: Any) -> Any:
        """``await work``, printing an error instead of ending the session (``None``)."""
        try:
            return await work
        except Exception as exc:  # the session outlives any one failure; it is shown
            self.error(exc)
            return None

    def error(self, exc: BaseException) -> None:
        self.say(f"\n[error: {type(exc).__name__}: {short(str(exc), 300)}]")

    async def _interruptible(self, task: asyncio.Future[Any]) -> Any:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, task.cancel)
        try:
            return await task
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
            self.say("\n[cancelled]")
            return None
        except Exception as exc:  # typed errors and bugs alike: shown, the session goes on
            self.error(exc)
            return None
        finally:
            with suppress(Exception):
                loop.remove_signal_handler(signal.SIGINT)

    async def _stream(self, events: Any) -> Any:
        renderer = Renderer(self.out, self.structured)
        renderer.write(f"{self.name}> ")
        async with aclosing(events):
            async for event in events:
                renderer.show(event)
        renderer.end()
        return renderer.result
