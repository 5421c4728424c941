"""A2A task records kept with their context, so every server process sharing the agent's
thread store finds a task (``GetTask``, ``ListTasks``, an approval message), whichever
process ran it.

A task's ``contextId`` is the agent's thread, and its id names that context
(``task.<context id, base64url>.<random>``), so a process that did not run the task knows
where to look: the thread's metadata, under ``RECORDS_KEY``, holds the latest
``MAX_PER_CONTEXT`` tasks of the context (status, history, artifacts; the oldest that ended
are dropped first, and past ``MAX_CONTEXT_BYTES`` too).

A record is written twice per run, never per event: when the run starts (``working``) and
when it ends (its last status and its artifacts), each time under the thread's lock, the
one the agent's runs hold from load to append. The metadata is one JSON object that a
write replaces whole, and the agent keeps its paused run there: writing outside the lock
could erase it. So a record is not written while a run of the context holds the lock;
the process running a task answers for it from its memory (``TaskTable``) meanwhile.
An approval claims its task under the lock too (``working``), so a second approval, in
any process, finds the task resumed. A write that changes a record's status keeps the one
it replaces (``earlier``: ``_a2a_statuses``), so a subscriber reading the record from
another process misses none.

A record names its ``owner``, the presence token of the process running the task
(``_a2a_presence``), so a ``working`` record left by a process that is gone is told from
one whose run goes on, and ended once (``end_orphan``, ``_a2a_orphans``).

A store without ``get_metadata`` and ``set_metadata`` (a user's two-method store) keeps
no records: tasks then live only in the memory of the process that ran them.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from locus.agent._threads import thread_lock  # the lock the agent's runs hold
from locus.core.errors import ThreadConflictError
from locus.serve._a2a_statuses import MAX_EARLIER, carried
from locus.serve._a2a_tasks import TaskRecord
from locus.serve._a2a_wire import INPUT_REQUIRED, TERMINAL, WORKING

__all__ = [
    "MAX_CONTEXT_BYTES",
    "MAX_PER_CONTEXT",
    "RECORDS_KEY",
    "claim",
    "context_of",
    "end_orphan",
    "find",
    "new_task_id",
    "records_of",
    "save",
    "save_at_end",
    "shares",
]

RECORDS_KEY = "locus.a2a.tasks"
"""The thread-metadata key of a context's task records (a list, oldest first)."""
MAX_PER_CONTEXT = 32
"""Tasks a context keeps records of; past it, the oldest that ended are dropped."""
MAX_CONTEXT_BYTES = 256_000
"""About how many bytes of JSON a context's records may take; past it, the oldest that
ended are dropped (a task's history is kept only up to ``MAX_HISTORY_BYTES``)."""
MAX_HISTORY_BYTES = 64_000
END_WAIT = 2.0
"""Seconds a run's last record waits for the thread's lock before it is written later, in
the background (another run of the context holds the lock: the answer does not wait)."""
FIX_WAIT = 1.0
"""Seconds the record of a task whose process is gone waits for the thread's lock to be
corrected (``end_orphan``); past it, the task is answered ended all the same."""
log = logging.getLogger("locus.serve")


def shares(store: Any) -> bool:
    """Whether ``store`` keeps thread metadata, so task records can live there."""
    return all(callable(getattr(store, m, None)) for m in ("get_metadata", "set_metadata"))


def new_task_id(context_id: str) -> str:
    """A new task id naming its context."""
    encoded = base64.urlsafe_b64encode(context_id.encode()).rstrip(b"=").decode()
    return f"task.{encoded}.{uuid.uuid4().hex}"


def context_of(task_id: str) -> str | None:
    """The context a task id made by ``new_task_id`` names; ``None`` for any other id."""
    parts = task_id.split(".")
    if len(parts) != 3 or parts[0] != "task" or not parts[1] or not parts[2]:
        return None
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        found = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return found or None


def _json(record: TaskRecord) -> dict[str, Any]:
    """The record as stored, with about how many bytes of JSON it takes (``bytes``, so
    bounding a context's records does not write them all again); its history only as far
    back as ``MAX_HISTORY_BYTES`` allows."""
    data = {
        "id": record.id,
        "agent": record.agent,
        "status": record.status,
        "history": record.history,
        "artifacts": list(record.artifacts.values()),
    }
    if record.owner is not None:
        data["owner"] = record.owner
    size = len(json.dumps(data, ensure_ascii=False))
    if size > MAX_HISTORY_BYTES:
        sizes = [len(json.dumps(m, ensure_ascii=False)) for m in record.history]
        start, kept = 0, sum(sizes)
        while start < len(sizes) and kept > MAX_HISTORY_BYTES:  # (the latest that fit)
            kept, start = kept - sizes[start], start + 1
        data["history"] = record.history[start:]
        size -= sum(sizes[:start])
    return {**data, "bytes": size}


def _record(data: Any, context_id: str) -> TaskRecord | None:
    """A record read back (``None`` for one that is not well formed)."""
    if not isinstance(data, dict) or not isinstance(data.get("status"), dict):
        return None
    artifacts = data.get("artifacts")
    artifacts = artifacts if isinstance(artifacts, list) else []
    history = data.get("history")
    owner = data.get("owner")
    earlier = data.get("earlier")
    return TaskRecord(
        str(data.get("id")),
        context_id,
        str(data.get("agent")),
        history if isinstance(history, list) else [],
        data["status"],
        {str(a.get("artifactId")): a for a in artifacts if isinstance(a, dict)},
        owner=owner if isinstance(owner, str) and owner else None,
        earlier=[s for s in earlier if isinstance(s, dict)] if isinstance(earlier, list) else [],
    )


def _state(data: dict[str, Any]) -> Any:
    status = data.get("status")
    return status.get("state") if isinstance(status, dict) else None


def _stored(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    found = metadata.get(RECORDS_KEY)
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


async def records_of(store: Any, agent: str, context_id: str) -> list[TaskRecord]:
    """The tasks of ``agent`` the context ``context_id`` keeps records of."""
    metadata = await store.get_metadata(context_id)
    records = (_record(data, context_id) for data in _stored(metadata))
    return [r for r in records if r is not None and r.agent == agent]


async def find(store: Any, agent: str, task_id: str) -> TaskRecord | None:
    """The record of the task ``task_id`` of ``agent``, if its context keeps it."""
    context_id = context_of(task_id)
    if context_id is None:
        return None
    found = [r for r in await records_of(store, agent, context_id) if r.id == task_id]
    return found[0] if found else None


Change = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


async def _update(store: Any, context_id: str, change: Change, timeout: float | None) -> None:
    """Replace the context's records with ``change(records)``, under the thread's lock
    (nothing is written when ``change`` returns the very list it was given)."""
    async with thread_lock(store, context_id, timeout):
        metadata = dict(await store.get_metadata(context_id))
        stored = _stored(metadata)
        changed = change(stored)
        if changed is stored:
            return
        metadata[RECORDS_KEY] = _bounded(changed)
        await store.set_metadata(context_id, metadata)


def _size(record: dict[str, Any]) -> int:
    size = record.get("bytes")
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        return size
    return len(json.dumps(record, ensure_ascii=False))


def _bounded(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``records`` without their oldest ended ones, past the count or the bytes allowed
    (a task running, or paused for approval, is kept)."""
    sizes = [_size(r) for r in records]
    over, extra = len(records) - MAX_PER_CONTEXT, sum(sizes) - MAX_CONTEXT_BYTES
    kept = []
    for index, record in enumerate(records):
        last = index == len(records) - 1
        if (over > 0 or extra > 0) and _state(record) in TERMINAL and not last:
            over, extra = over - 1, extra - sizes[index]
            continue
        kept.append(record)
    return kept


async def save(store: Any, record: TaskRecord, timeout: float | None = None) -> None:
    """Write ``record`` (added, or replacing its earlier record) into its context."""
    data = _json(record)

    def change(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _replaced(records, record.id, data)

    await _update(store, record.context_id, change, timeout)


def _replaced(
    records: list[dict[str, Any]], task_id: str, data: dict[str, Any]
) -> list[dict[str, Any]]:
    """``records`` with the task's record replaced by ``data`` (last: the latest updated),
    which keeps the statuses the one it replaces went through (``_a2a_statuses``)."""
    old = [r for r in records if r.get("id") == task_id]
    kept = carried(old[-1] if old else None, data)
    return [*(r for r in records if r.get("id") != task_id), kept]


async def claim(store: Any, record: TaskRecord) -> TaskRecord | None:
    """Claim the paused task ``record`` for a resume: its record becomes ``record`` (now
    ``working``) unless the stored one says it is no longer paused; then that one is
    returned (resumed elsewhere, by another approval) and nothing is written."""
    data, found = _json(record), []

    def change(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for stored in records:
            if stored.get("id") == record.id and _state(stored) != INPUT_REQUIRED:
                found.append(stored)
                return records
        return _replaced(records, record.id, data)

    await _update(store, record.context_id, change, None)
    return _record(found[0], record.context_id) if found else None


async def end_orphan(store: Any, record: TaskRecord, ended: dict[str, Any]) -> TaskRecord:
    """Give the task ``record``, ``working`` in a process that is gone, the status ``ended``
    where its context keeps it, unless its stored record changed meanwhile (written under
    the thread's lock, so once); the task as it now stands. When a run of the context holds
    the lock past ``FIX_WAIT`` seconds, nothing is written (a later look writes it)."""
    found: list[dict[str, Any]] = []

    def change(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for index, stored in enumerate(records):
            if stored.get("id") != record.id:
                continue
            if _state(stored) == WORKING and stored.get("owner") == record.owner:
                base = {k: v for k, v in stored.items() if k not in ("bytes", "earlier")}
                base = {**base, "status": ended}
                found.append(carried(stored, {**base, "bytes": _size(base)}))
                return [*records[:index], found[0], *records[index + 1 :]]
            found.append(stored)
            return records
        return records

    try:
        await _update(store, record.context_id, change, FIX_WAIT)
    except ThreadConflictError:
        now = await find(store, record.agent, record.id)
        if now is None or (now.state == WORKING and now.owner == record.owner):
            return _ended(record, ended)
        return now
    if not found:  # (forgotten meanwhile: its context was deleted)
        return _ended(record, ended)
    ended_record = _record(found[0], record.context_id)
    return ended_record if ended_record is not None else _ended(record, ended)


def _ended(record: TaskRecord, ended: dict[str, Any]) -> TaskRecord:
    return TaskRecord(
        record.id,
        record.context_id,
        record.agent,
        record.history,
        ended,
        record.artifacts,
        owner=record.owner,
        earlier=[*record.earlier, record.status][-MAX_EARLIER:],
    )


async def save_at_end(
    store: Any,
    record: TaskRecord,
    later: set[asyncio.Task[None]],
    then: Callable[[], None] = lambda: None,
) -> None:
    """Write the ended task's record, then call ``then``; when another run of the context
    holds the lock past ``END_WAIT`` seconds, write it in the background (kept in
    ``later``) instead, and call ``then`` once that is done."""
    deferred = False
    try:
        await save(store, record, END_WAIT)
    except ThreadConflictError:
        task = asyncio.get_running_loop().create_task(_save_logged(store, record))
        later.add(task)
        task.add_done_callback(later.discard)
        task.add_done_callback(lambda _: then())
        deferred = True
    except Exception as exc:  # the answer goes out; other processes see the task running
        log.warning("could not record the end of A2A task %r: %s", record.id, exc)
    finally:
        if not deferred:
            then()


async def _save_logged(store: Any, record: TaskRecord) -> None:
    try:
        await save(store, record)
    except Exception as exc:
        log.warning("could not record the end of A2A task %r: %s", record.id, exc)
