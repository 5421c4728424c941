"""A server process's presence in a thread store, so other processes can tell that the
process running an A2A task is gone.

While a process has tasks of a store running (from before its first ``working`` record
is written to after its last end record is written, late ones included), it holds a lock
of that store named by a token of its own: ``presence_key(token)``, taken through the
same ``lock`` the agent's runs use, which another process can take only once the holder
has let go, or died (a SQLite lease that stopped being renewed, or whose process is gone;
a PostgreSQL session that ended). Each task's record names that token (its ``owner``).
A token is used for one holding only: once its holder lets go, every record naming it
has been written for the last time, so a ``working`` record whose token's lock can be
taken belongs to a process that is gone (``_a2a_orphans``).

The thread's own lock cannot tell this: a running task's record says ``working`` while
its run waits for the thread behind another run, between its start record and its run
taking the lock, and between its run letting go and its end record.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from locus.agent._threads import thread_lock  # the lock the agent's runs hold
from locus.core.errors import ThreadConflictError

__all__ = ["Hold", "Presence", "Presences", "gone", "judged", "presence_key"]

PREFIX = "locus.a2a.presence."
log = logging.getLogger("locus.serve")


def presence_key(token: str) -> str:
    """The lock (a thread id of the store) that the holder of ``token`` holds."""
    return PREFIX + token


def judged(store: Any) -> bool:
    """Whether tasks recorded in ``store`` can be judged gone: it keeps metadata and has a
    lock of its own (one that every process sharing the store sees). A store locked only
    in this process (no ``lock`` method) records no owner: its tasks are never judged."""
    has = all(callable(getattr(store, m, None)) for m in ("get_metadata", "set_metadata"))
    return has and callable(getattr(store, "lock", None))


async def gone(store: Any, token: str) -> bool:
    """Whether the holder of ``token`` has let go of its presence (or died): its lock is
    taken at once (then let go). A lock held by anyone, even briefly by another check,
    answers ``False``: a task is never judged gone on a doubt."""
    try:
        async with thread_lock(store, presence_key(token), 0):
            return True
    except ThreadConflictError:
        return False


class Presence:
    """This process's presence in one store: held while ``enter`` calls outnumber
    ``leave`` calls, each holding under a new token."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.loop = _running_loop()
        self.users = 0
        self.token: str | None = None
        self._ready: asyncio.Future[str] | None = None
        self._leave = asyncio.Event()
        self._holders: set[asyncio.Task[None]] = set()

    def holds(self, token: str) -> bool:
        """Whether ``token`` is the one this process holds now."""
        return self.users > 0 and token == self.token

    async def enter(self) -> str:
        """The token held now (the lock taken first, if no task held it)."""
        if self._ready is None:
            self._start()
        ready = self._ready
        assert ready is not None
        self.users += 1
        try:
            return await asyncio.shield(ready)
        except BaseException:
            self.leave()
            raise

    def letting_go(self) -> set[asyncio.Task[None]]:
        """The tasks letting go of this presence's lock, none of its tasks left (a stopping
        app waits for them: its event loop's end would cancel one midway, leaving its
        store's connection broken)."""
        return set(self._holders) if self.users == 0 else set()

    def leave(self) -> None:
        """One task fewer; the last one lets go (its token is never held again)."""
        self.users -= 1
        if self.users == 0:
            self._leave.set()
            self._ready, self.token = None, None

    def _start(self) -> None:
        token = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        self._ready, self._leave = loop.create_future(), asyncio.Event()
        holder = loop.create_task(self._hold(token, self._ready, self._leave))
        self._holders.add(holder)
        holder.add_done_callback(self._holders.discard)

    async def _hold(self, token: str, ready: asyncio.Future[str], leave: asyncio.Event) -> None:
        try:
            async with thread_lock(self.store, presence_key(token), None):
                if ready is self._ready:
                    self.token = token
                if not ready.done():
                    ready.set_result(token)
                await leave.wait()
        except BaseException as exc:
            if not ready.done():
                failed = exc if isinstance(exc, Exception) else RuntimeError("server stopping")
                ready.set_exception(failed)
                ready.exception()  # (retrieved: each waiting ``enter`` raises it)
            elif isinstance(exc, Exception):  # (its lease runs out by itself)
                log.warning("could not let go of this process's presence in its store: %s", exc)
            if ready is self._ready:  # (a failed holding is not reused)
                self._ready, self.token = None, None
            if not isinstance(exc, Exception):
                raise


class Hold:
    """One task's share of its process's presence in a store: ``enter`` once, ``leave``
    at most once (after the task's last record is written)."""

    def __init__(self, presence: Presence) -> None:
        self.presence = presence
        self.token: str | None = None

    async def enter(self) -> str:
        if self.token is None:
            self.token = await self.presence.enter()
        return self.token

    def leave(self) -> None:
        if self.token is not None:
            self.token = None
            self.presence.leave()


class Presences:
    """An app's presence in each store its agents keep tasks in."""

    def __init__(self) -> None:
        self.by_store: dict[int, Presence] = {}

    def of(self, store: Any) -> Presence:
        """The presence in ``store`` (a new one on a new event loop: one that another
        loop held ended with that loop)."""
        found = self.by_store.get(id(store))
        if found is None or found.store is not store or found.loop is not _running_loop():
            found = self.by_store[id(store)] = Presence(store)
        return found

    def holds(self, store: Any, token: str) -> bool:
        return self.of(store).holds(token)

    def letting_go(self) -> set[asyncio.Task[None]]:
        """``Presence.letting_go`` of each store's presence."""
        return {task for found in self.by_store.values() for task in found.letting_go()}

    def hold(self, store: Any) -> Hold | None:
        """A task's hold on the presence in ``store`` (``None``: tasks there are not
        judged)."""
        return Hold(self.of(store)) if judged(store) else None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
