"""The thread-store protocol: two required methods, and the optional capabilities.

A user's own store needs only ``load`` and ``append``. The agent finds the optional
methods with ``getattr``, so a two-method store keeps working:

- ``async delete(thread_id) -> None``
- ``async list_threads(*, limit=100, prefix=None) -> list[str]``: the ids, most recently
  changed first (``limit`` an int of 0 or more)
- ``async page_threads(*, limit=100, prefix=None, cursor=None, oldest_first=False)
  -> tuple[list[str], str | None]``: one page of ids (most recently changed first, or
  least recently with ``oldest_first``) and the cursor to the next page, ``None`` when
  none is left; pass the cursor back with the same ``prefix`` and ``oldest_first`` (a
  ``ConfigurationError`` otherwise, and for a cursor the store did not make). The cursor is
  opaque text holding the last thread's position, so writes between pages do not move
  the pager: no id is listed twice; every thread neither changed nor deleted between the
  first page and the last is listed exactly once; a thread changed or created after the
  first page is not listed by the later pages; paging ends, whatever the writers do
  (on PostgreSQL a write in flight while a page is read may list its thread once more).
  The first page is what ``list_threads`` returns.
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
