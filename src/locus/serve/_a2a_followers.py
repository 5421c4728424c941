"""The clients following one A2A task's run in this process: the stream of the message that
started it (``SendStreamingMessage``) and any ``SubscribeToTask`` stream joined since. Each
gets every stream event posted after it joined, then the end (``None``); one that leaves
takes nothing from the others and does not stop the run."""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["Followers"]

Item = dict[str, Any]
"""One A2A ``StreamResponse`` (``_a2a_tasks.StreamItem``)."""


class Followers:
    """The queues of a run's followers; ``post`` puts an event in each, ``end`` the end."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[Item | None]] = set()
        self.ended = False

    def join(self) -> asyncio.Queue[Item | None]:
        """A new follower's queue: the events posted from now on (only the end, once the
        run has ended)."""
        queue: asyncio.Queue[Item | None] = asyncio.Queue()
        if self.ended:
            queue.put_nowait(None)
        else:
            self.queues.add(queue)
        return queue

    def leave(self, queue: asyncio.Queue[Item | None]) -> None:
        self.queues.discard(queue)

    def post(self, item: Item) -> None:
        for queue in self.queues:
            queue.put_nowait(item)

    def end(self) -> None:
        self.ended = True
        for queue in self.queues:
            queue.put_nowait(None)
        self.queues.clear()
