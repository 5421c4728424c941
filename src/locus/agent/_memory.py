"""Conversation threads: the store interface and the in-memory store.

A run with ``thread_id=...`` starts from the thread's earlier messages and, when it
ends normally, appends its own (the user prompt, assistant turns and tool results;
never the system prompt). A failed run appends nothing, so a thread never holds a
tool call without its answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from locus.core.messages import Message

__all__ = ["InMemoryThreadStore", "ThreadStore"]


@runtime_checkable
class ThreadStore(Protocol):
    """Where thread histories live."""

    async def load(self, thread_id: str) -> list[Message]:
        """The thread's messages, oldest first (empty for an unknown thread)."""
        ...

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        """Add ``messages`` at the end of the thread."""
        ...


class InMemoryThreadStore:
    """Threads kept in a dict for the life of the process."""

    def __init__(self) -> None:
        self._threads: dict[str, list[Message]] = {}

    async def load(self, thread_id: str) -> list[Message]:
        return list(self._threads.get(thread_id, ()))

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        self._threads.setdefault(thread_id, []).extend(messages)

    def clear(self, thread_id: str | None = None) -> None:
        """Forget one thread, or all of them."""
        if thread_id is None:
            self._threads.clear()
        else:
            self._threads.pop(thread_id, None)

    def __contains__(self, thread_id: object) -> bool:
        return thread_id in self._threads
