"""The thread-store protocol: two required methods, and the optional capabilities.

A user's own store needs only ``load`` and ``append``. The agent finds the optional
methods with ``getattr``, so a two-method store keeps working:

- ``async delete(thread_id) -> None``
- ``async list_threads(*, limit=100, prefix=None) -> list[str]`` (most recently changed first)
- ``async get_metadata(thread_id) -> dict`` (``{}`` for an unknown thread)
- ``async set_metadata(thread_id, metadata) -> None`` (replaces the whole dict)
- ``lock(thread_id, *, timeout=None) -> async context manager``: excludes other runs on the
  same thread, in this process and in every other process sharing the store; raises
  ``ThreadConflictError`` when it cannot be taken within ``timeout`` seconds
- ``async aclose() -> None``
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from locus.core.messages import Message

__all__ = ["ThreadStore"]


@runtime_checkable
class ThreadStore(Protocol):
    """Where thread histories live."""

    async def load(self, thread_id: str) -> list[Message]:
        """The thread's messages, oldest first (empty for an unknown thread)."""
        ...

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        """Add ``messages`` at the end of the thread, all or none."""
        ...
