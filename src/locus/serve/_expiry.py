"""Paused runs that are never approved do not stay forever: ``paused_ttl``.

A thread-less completion that pauses is parked on a thread of the agent's store
(``_paused``), stamped with the time it was parked (``PARKED_AT_KEY``, wall-clock
seconds, so every worker and replica sharing the store reads the same time). Once it
has waited ``paused_ttl`` seconds, it is removed, with no timer per run:

- on access: an approval of an expired run removes it and is refused (410);
- by a sweep over the store's parked threads (``paused-completion-*``, oldest first, a
  bounded number per sweep: ``SWEEP_LIMIT``), run by one periodic task per app (started
  in the app's lifespan) and, at most once per sweep interval, by a request that parks
  or resumes a run (an app served without a lifespan still sweeps).

Only the parked thread-less runs expire: a run paused on a user's named thread is the
user's conversation and stays until resumed. Runs held in a process's memory (a store
without metadata) expire the same way.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from typing import Any

from locus.core.errors import ConfigurationError
from locus.serve._agents import AgentTable
from locus.serve._paused import OWN_PREFIX, PARKED_AT_KEY, expire
from locus.serve._state import ServeState

__all__ = ["DEFAULT_PAUSED_TTL", "maybe_sweep", "sweep", "sweep_interval", "sweeping"]

DEFAULT_PAUSED_TTL = 86_400.0
"""A parked run waits a day for its approval."""
SWEEP_LIMIT = 10_000
"""Parked threads one sweep looks at in a store, at most. A store that pages
(``page_threads``) is read oldest first, ``SWEEP_PAGE`` ids at a time; a sweep that
stops at this bound leaves its cursor for the next sweep of the store, which goes on
from there, so every parked thread is looked at within a few sweeps. A store that only
lists (``list_threads``) shows its most recently changed ``SWEEP_LIMIT``."""
REQUEST_SWEEP_LIMIT = 1_000
"""The same bound for the sweep a parking request runs when one is due: that request
waits for it (the periodic sweep, and the next due request, go on from where it stopped)."""
SWEEP_PAGE = 500
"""Parked thread ids read from a store at once."""
log = logging.getLogger("locus.serve")
_resume: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
"""Per store, where the last sweep stopped at ``SWEEP_LIMIT`` (none: from the oldest)."""


def sweep_interval(ttl: float) -> float:
    """Seconds between sweeps: a tenth of the TTL, from 1 s to 10 min."""
    return min(max(ttl / 10, 1.0), 600.0)


async def sweep(
    agents: AgentTable, state: ServeState, ttl: float, now: float, *, limit: int | None = None
) -> int:
    """Remove every parked run of ``agents`` older than ``ttl`` at ``now``, looking at
    ``limit`` parked threads a store at most (``SWEEP_LIMIT``); how many were removed."""
    state.last_sweep = now
    removed = 0
    for run_id, run in list(state.paused.items()):
        if now - run.parked_at > ttl:
            state.paused.pop(run_id, None)
            removed += 1
    stores: dict[int, Any] = {}
    for name in agents.names():
        store = getattr(agents.get(name), "thread_store", None)
        if store is not None:
            stores.setdefault(id(store), store)
    for store in stores.values():
        removed += await _sweep_store(store, ttl, now, SWEEP_LIMIT if limit is None else limit)
    return removed


async def _sweep_store(store: Any, ttl: float, now: float, limit: int) -> int:
    if getattr(store, "get_metadata", None) is None:
        return 0
    removed = 0
    for thread_id in await _parked(store, limit):
        try:
            if await _may_have_expired(store, thread_id, ttl, now):
                removed += await expire(store, thread_id, ttl, now)
        except Exception as exc:  # one thread's store error does not stop the sweep
            log.warning("could not expire the parked run on %r: %s", thread_id, exc)
    return removed


async def _may_have_expired(store: Any, thread_id: str, ttl: float, now: float) -> bool:
    """Whether ``expire`` (which takes the thread's lock) need look at ``thread_id``: a
    parked time read without the lock rules it out when it is recent, as a parked time
    only ever moves later (a new park), so the lock is taken for the few that expire."""
    stamp = (await store.get_metadata(thread_id)).get(PARKED_AT_KEY)
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        return now - stamp > ttl
    return True  # no time (an older server's park): expire gives it one


async def _parked(store: Any, limit: int) -> list[str]:
    """The ids of parked threads this sweep looks at: up to ``limit``, oldest first
    from where the last sweep of ``store`` stopped when the store pages."""
    paging = getattr(store, "page_threads", None)
    if paging is None:
        listing = getattr(store, "list_threads", None)
        if listing is None:
            return []
        return list(await listing(limit=limit, prefix=OWN_PREFIX))
    cursor = _resumed(store)
    found: list[str] = []
    while len(found) < limit:
        size = min(SWEEP_PAGE, limit - len(found))
        try:
            ids, cursor = await paging(
                limit=size, prefix=OWN_PREFIX, cursor=cursor, oldest_first=True
            )
        except ConfigurationError:  # (a cursor the store no longer takes) from the oldest
            if cursor is None:
                raise
            ids, cursor = await paging(limit=size, prefix=OWN_PREFIX, oldest_first=True)
        found += ids
        if cursor is None or not ids:
            break
    _remember(store, cursor)
    return found


def _resumed(store: Any) -> str | None:
    try:
        return _resume.get(store)
    except TypeError:  # a store that cannot be weakly referenced: each sweep from the oldest
        return None


def _remember(store: Any, cursor: str | None) -> None:
    try:
        if cursor is None:
            _resume.pop(store, None)
        else:
            _resume[store] = cursor
    except TypeError:
        pass


async def maybe_sweep(
    agents: AgentTable,
    state: ServeState,
    ttl: float,
    clock: Callable[[], float],
    *,
    due: bool = False,
) -> None:
    """Sweep if ``due`` (the periodic task), or if the last sweep of this app is a sweep
    interval old (a request: ``REQUEST_SWEEP_LIMIT`` threads at most; a store error is
    logged, the request that happened to sweep does not fail for it)."""
    now = clock()
    if not due and now - state.last_sweep < sweep_interval(ttl):
        return
    try:
        await sweep(agents, state, ttl, now, limit=None if due else REQUEST_SWEEP_LIMIT)
    except Exception as exc:
        log.warning("sweeping expired paused runs failed: %s", exc)


async def sweeping(
    agents: AgentTable,
    state: ServeState,
    ttl: float,
    clock: Callable[[], float],
    interval: float | None = None,
) -> None:
    """The app's periodic sweep (a task of its lifespan, cancelled at shutdown)."""
    wait = sweep_interval(ttl) if interval is None else interval
    while True:
        await asyncio.sleep(wait)
        await maybe_sweep(agents, state, ttl, clock, due=True)
