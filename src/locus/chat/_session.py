"""A chat session: the agent, the current thread, and the turn in progress."""

from __future__ import annotations

import asyncio
import signal
import uuid
from contextlib import aclosing, suppress
from typing import Any, TextIO

from locus.chat._render import Renderer, short
from locus.core.errors import LocusError

__all__ = ["HELP", "ChatSession"]

HELP = "commands: /new (new thread)  /thread ID (continue one)  /exit  — Ctrl-C cancels a run"


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

    def command(self, line: str) -> bool:
        """Handle a ``/command``; ``False`` means leave."""
        name, _, argument = line.strip().partition(" ")
        if name in ("/exit", "/quit"):
            return False
        if name == "/new":
            self.thread_id = new_thread_id()
            self.say(f"[new thread {self.thread_id}]")
        elif name == "/thread" and argument.strip():
            self.thread_id = argument.strip()
            self.say(f"[thread {self.thread_id}]")
        else:
            self.say(HELP)
        return True

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def turn(self, prompt: str) -> Any:
        """One run, cancelled by Ctrl-C (SIGINT) while it lasts; its result or ``None``."""
        task = asyncio.ensure_future(self._stream(self.agent.run(prompt, thread_id=self.thread_id)))
        return await self._interruptible(task)

    async def resume(self, approvals: dict[str, Any]) -> Any:
        events = self.agent.resume_stream(None, thread_id=self.thread_id, approvals=approvals)
        return await self._interruptible(asyncio.ensure_future(self._stream(events)))

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
        except LocusError as exc:
            self.say(f"\n[error: {type(exc).__name__}: {short(str(exc), 300)}]")
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
