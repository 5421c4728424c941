"""The in-memory thread store: threads in a dict for the life of the process."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.stores._ids import check_thread_id, check_timeout, is_thread_id
from locus.stores._keyed_lock import KeyedLock
from locus.stores._metadata import copy_metadata
from locus.stores._paging import PageQuery, finish, first_page, page_query

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
        self._order: list[tuple[int, str]] = []
        """(change number, id) of every change, in order; an entry whose thread changed
        again or was deleted stays until ``_compact`` (so a page is a bisect away)."""
        self._locks = KeyedLock()
        self._closed = False

    async def load(self, thread_id: str) -> list[Message]:
        self._check_open()
        if not is_thread_id(thread_id):
            return []
        return list(self._threads.get(thread_id, ()))

    async def append(self, thread_id: str, messages: Sequence[Message]) -> None:
        self._check_open()
        check_thread_id(thread_id)
        if not messages:
            return
        self._threads.setdefault(thread_id, []).extend(messages)
        self._touch(thread_id)

    async def delete(self, thread_id: str) -> None:
        self._check_open()
        if is_thread_id(thread_id):
            self.clear(thread_id)

    async def list_threads(self, *, limit: int = 100, prefix: str | None = None) -> list[str]:
        self._check_open()
        return await first_page(self, limit, prefix)

    async def page_threads(
        self,
        *,
        limit: int = 100,
        prefix: str | None = None,
        cursor: str | None = None,
        oldest_first: bool = False,
    ) -> tuple[list[str], str | None]:
        self._check_open()
        query = page_query(limit, prefix, cursor, oldest_first)
        if query.impossible:
            return [], None
        until = query.until
        if oldest_first and until is None:
            until = self._order[-1][0] if self._order else 0
        rows: list[tuple[int, str]] = []
        for changed, thread_id in self._walk(query):
            if until is not None and changed > until:
                break  # (oldest first: only later ones follow)
            if self._changed.get(thread_id) != changed:
                continue  # changed again since, or deleted: a stale entry
            if prefix is None or thread_id.startswith(prefix):
                rows.append((changed, thread_id))
                if len(rows) > query.limit:
                    break
        return finish(query, rows, until)

    def _walk(self, query: PageQuery) -> Iterator[tuple[int, str]]:
        """``_order`` from the cursor on, in the page's order (no await: one snapshot)."""
        order = self._order
        if query.oldest_first:
            start = 0 if query.after is None else bisect.bisect_right(order, query.after)
            return (order[i] for i in range(start, len(order)))
        end = len(order) if query.after is None else bisect.bisect_left(order, query.after)
        return (order[i] for i in range(end - 1, -1, -1))

    async def get_metadata(self, thread_id: str) -> dict[str, Any]:
        self._check_open()
        if not is_thread_id(thread_id):
            return {}
        return copy_metadata(self._metadata.get(thread_id, {}))

    async def set_metadata(self, thread_id: str, metadata: Mapping[str, Any]) -> None:
        self._check_open()
        self._metadata[check_thread_id(thread_id)] = copy_metadata(metadata)
        self._touch(thread_id)

    def lock(
        self, thread_id: str, *, timeout: float | None = None
    ) -> AbstractAsyncContextManager[None]:
        self._check_open()
        return self._locks.hold(check_thread_id(thread_id), check_timeout(timeout))

    async def aclose(self) -> None:
        """Close it: later calls raise ``ConfigurationError``, as on every store (so code
        that uses a store after closing it fails here too; ``in`` and ``clear`` still work)."""
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise ConfigurationError(f"{self!r} is closed; open a new store")

    def clear(self, thread_id: str | None = None) -> None:
        """Forget one thread, or all of them."""
        if thread_id is None:
            self._threads.clear()
            self._metadata.clear()
            self._changed.clear()
            self._order.clear()
        else:
            self._threads.pop(thread_id, None)
            self._metadata.pop(thread_id, None)
            self._changed.pop(thread_id, None)
            self._compact()

    def __contains__(self, thread_id: object) -> bool:
        return thread_id in self._changed

    def __repr__(self) -> str:
        return f"InMemoryThreadStore(threads={len(self._changed)})"

    def _touch(self, thread_id: str) -> None:
        changed = next(self._clock)
        self._changed[thread_id] = changed
        self._order.append((changed, thread_id))
        self._compact()

    def _compact(self) -> None:
        if len(self._order) > 2 * len(self._changed) + 64:
            self._order = sorted((c, t) for t, c in self._changed.items())
