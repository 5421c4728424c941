"""The in-memory thread store: threads in a dict for the life of the process."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from locus.core.messages import Message
from locus.stores._ids import check_thread_id, check_timeout, is_thread_id, storable_prefix
from locus.stores._keyed_lock import KeyedLock
from locus.stores._metadata import copy_metadata

__all__ = ["InMemoryThreadStore"]


class InMemoryThreadStore:
    """Threads kept in a dict for the life of the process.

    ``load`` returns the stored ``Message`` objects themselves (not copies). ``lock`` is
    process-local: it excludes runs in this process only, which is all a dict can see.
    """

    def __init__(self) -> None:
        self._threads: dict[str, list[Message]] = {}
        self._metadata: dict[str, dict[str, Any]] = {}
        self._changed: dict[str, int] = {}
        self._clock = itertools.count()
        self._locks = KeyedLock()

    async def load(self, thread_id: str) -> list[Message]:
        if not is_thread_id(thread_id):
            return []
        return list(self._threads.get(thread_id, ()))

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        check_thread_id(thread_id)
        if not messages:
            return
        self._threads.setdefault(thread_id, []).extend(messages)
        self._touch(thread_id)

    async def delete(self, thread_id: str) -> None:
        if is_thread_id(thread_id):
            self.clear(thread_id)

    async def list_threads(self, *, limit: int = 100, prefix: str | None = None) -> list[str]:
        if prefix is not None and not storable_prefix(prefix):
            return []
        ids = [t for t in self._changed if prefix is None or t.startswith(prefix)]
        ids.sort(key=lambda t: (-self._changed[t], t))
        return ids[: max(limit, 0)]

    async def get_metadata(self, thread_id: str) -> dict[str, Any]:
        if not is_thread_id(thread_id):
            return {}
        return copy_metadata(self._metadata.get(thread_id, {}))

    async def set_metadata(self, thread_id: str, metadata: Mapping[str, Any]) -> None:
        self._metadata[check_thread_id(thread_id)] = copy_metadata(metadata)
        self._touch(thread_id)

    def lock(
        self, thread_id: str, *, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(check_thread_id(thread_id), check_timeout(timeout))

    async def aclose(self) -> None:
        """Nothing to release; here so that every store closes the same way."""

    def clear(self, thread_id: str | None = None) -> None:
        """Forget one thread, or all of them."""
        if thread_id is None:
            self._threads.clear()
            self._metadata.clear()
            self._changed.clear()
        else:
            self._threads.pop(thread_id, None)
            self._metadata.pop(thread_id, None)
            self._changed.pop(thread_id, None)

    def __contains__(self, thread_id: object) -> bool:
        return thread_id in self._changed

    def __repr__(self) -> str:
        return f"InMemoryThreadStore(threads={len(self._changed)})"

    def _touch(self, thread_id: str) -> None:
        self._changed[thread_id] = next(self._clock)
