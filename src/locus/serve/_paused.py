"""Where a run paused for approval waits, and the run ids that find it from any process.

``POST /v1/agents/{name}/runs/{run_id}/approvals`` resumes the run ``run_id`` names. The
id says where the paused state is, so any server process that shares the agent's
thread store resumes it; none keeps it in its memory:

- a run on a thread (an AG-UI run, a completion with ``thread_id``): the agent kept the
  state in the thread's metadata (``PAUSED_KEY``); the id is ``run.t.<agent>.<thread
  id, base64url>.<pause id>`` (``<agent>``: the served name, so an id posted to another
  agent's route is not found there);
- a completion without a thread: its state is written, as the agent writes a thread's
  (``RunState.to_json``), to a new thread of the agent's store, ``paused-completion-
  <random>``, and resumed there; the id is ``run.c.<...>``. Only a run that
  pauses is written: a completion that does not pause touches no store. Once a resume
  has claimed that pause and ended without pausing again, the thread is deleted;
- a store that keeps no metadata (a user's two-method store) cannot hold a paused run:
  the state stays in this process's memory under ``run-<random>``, resumable here only.

The pause id (``RunState.id``) binds an id to one pause: a later pause on the same
thread has another, so an old or replayed id never approves calls it was not issued
for. The state is never handed to the client, so a client cannot forge or alter it;
an id names a state the server holds. Resuming is the agent's (``agent.resume_stream``
with the stored state on its thread): it claims the state under the thread's lock,
which excludes every process sharing the store, so an approved call runs once.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

from locus.agent import RunEvent
from locus.agent._pausing import PAUSED_KEY  # where the agent keeps a thread's paused run
from locus.core.errors import AlreadyResumedError, ThreadConflictError
from locus.serve._state import PausedRun, ServeState

__all__ = [
    "OWN_PREFIX",
    "PARKED_AT_KEY",
    "PAUSED_KEY",
    "PausedRunExpired",
    "check_decisions",
    "expire",
    "find",
    "forgetting",
    "on_thread",
    "paused_conflict",
    "register",
    "thread_run_id",
]

PARKED_AT_KEY = "locus.parked_at"
"""When (``time.time()``) a thread-less completion's paused run was parked on a thread of
its own; with ``paused_ttl`` it says when the parked run expires (``_expiry``)."""

OWN_PREFIX = "paused-completion-"
_FORGET_WAIT = 1.0
"""Seconds to wait for the lock of a thread to delete (another resume holds it meanwhile)."""
log = logging.getLogger("locus.serve")


class PausedRunExpired(LookupError):
    """A parked run was not approved within ``paused_ttl`` seconds and was removed."""


async def register(
    name: str,
    agent: Any,
    result: Any,
    state: ServeState,
    *,
    own_thread: bool = False,
    now: float = 0.0,
) -> str:
    """The run id of ``result``, a run of ``agent`` (served as ``name``) that paused;
    a thread-less run's state is made findable first, parked at ``now``. ``own_thread``:
    the run was resumed on a thread this module made (``forgetting`` parks it anew)."""
    pause = result.state
    store = agent.thread_store
    if result.thread_id is not None:  # (parked anew, if it is ours, by ``forgetting``)
        return _run_id("c" if own_thread else "t", name, result.thread_id, pause.id)
    if _holds_metadata(store):
        thread_id = f"{OWN_PREFIX}{int(now):x}-{secrets.token_hex(12)}"
        await store.set_metadata(thread_id, {PAUSED_KEY: pause.to_json(), PARKED_AT_KEY: now})
        return _run_id("c", name, thread_id, pause.id)
    run_id = f"run-{secrets.token_hex(16)}"
    state.paused[run_id] = PausedRun(name, None, pause, parked_at=now)
    return run_id


def _expired_message(run_id: str, ttl: float, *, certain: bool = True) -> str:
    if certain:
        return (
            f"the paused run {run_id!r} expired: it waited over {ttl:g} s for approval "
            "(paused_ttl) and was removed; its calls never ran"
        )
    return (
        f"the paused run {run_id!r} is gone: it was resumed, or it expired after "
        f"{ttl:g} s without approval (paused_ttl)"
    )


def parked_at(thread_id: str) -> float | None:
    """When the thread-less run on ``thread_id`` (a thread ``register`` made) was parked,
    as its id says (``None`` for an id of another form)."""
    stamp = thread_id.removeprefix(OWN_PREFIX).partition("-")[0]
    if thread_id.startswith(OWN_PREFIX) and 0 < len(stamp) <= 12:
        with contextlib.suppress(ValueError):
            return float(int(stamp, 16))
    return None


async def find(
    name: str, agent: Any, run_id: str, state: ServeState, *, ttl: float, now: float
) -> PausedRun | None:
    """The paused run ``run_id`` names, if ``agent`` has it waiting; ``AlreadyResumedError``
    when it was resumed already (its thread keeps that mark); ``PausedRunExpired`` when it
    was a thread-less run parked longer than ``ttl`` seconds before ``now`` (removed now,
    if still there)."""
    parsed = _parse(run_id)
    if parsed is None:
        return _held(name, run_id, state, ttl, now)
    kind, issued_for, thread_id, pause_id = parsed
    store = agent.thread_store
    get = getattr(store, "get_metadata", None)
    if issued_for != name or get is None:
        return None
    metadata = await get(thread_id)
    stored = metadata.get(PAUSED_KEY)
    if kind == "c" and thread_id.startswith(OWN_PREFIX):
        await _unless_expired(store, run_id, thread_id, metadata, ttl, now)
    if not isinstance(stored, dict) or stored.get("id") != pause_id:
        return None
    if stored.get("resumed"):
        raise AlreadyResumedError(f"the run {run_id!r} was already resumed (its calls ran once)")
    from locus.agent import RunState

    return PausedRun(name, thread_id, RunState.load(stored), own_thread=kind == "c")


def _held(name: str, run_id: str, state: ServeState, ttl: float, now: float) -> PausedRun | None:
    """A paused run held in this process's memory (``run-<random>``)."""
    held = state.paused.get(run_id)
    if held is None or held.agent != name:
        return None
    if now - held.parked_at > ttl:
        state.paused.pop(run_id, None)
        raise PausedRunExpired(_expired_message(run_id, ttl))
    return held


async def _unless_expired(
    store: Any, run_id: str, thread_id: str, metadata: dict[str, Any], ttl: float, now: float
) -> None:
    """``PausedRunExpired`` if the run parked on ``thread_id`` expired (removed now), or
    the thread is gone and its id says the run would have (resumed, or swept)."""
    stored = metadata.get(PAUSED_KEY)
    stamp = parked_at(thread_id) if stored is None else metadata.get(PARKED_AT_KEY)
    if not isinstance(stamp, int | float) or now - stamp <= ttl:
        return
    if stored is None:
        raise PausedRunExpired(_expired_message(run_id, ttl, certain=False))
    if await expire(store, thread_id, ttl, now):
        raise PausedRunExpired(_expired_message(run_id, ttl))


async def expire(store: Any, thread_id: str, ttl: float, now: float) -> bool:
    """Delete ``thread_id``, a thread ``register`` made for a thread-less run, if its run
    was parked more than ``ttl`` seconds before ``now`` (its metadata's own time decides,
    so every process sharing the store agrees). A parked run of an older server, with no
    time, is given ``now``. Under the thread's lock: a run resuming there meanwhile holds
    it, and the thread is left to that run. ``True`` if it was deleted."""
    lock, delete = getattr(store, "lock", None), getattr(store, "delete", None)
    if delete is None or not thread_id.startswith(OWN_PREFIX):
        return False
    try:
        async with lock(thread_id, timeout=_FORGET_WAIT) if lock else contextlib.nullcontext():
            metadata = dict(await store.get_metadata(thread_id))
            stamp = metadata.get(PARKED_AT_KEY)
            if not isinstance(stamp, int | float) or isinstance(stamp, bool):
                if metadata:
                    await store.set_metadata(thread_id, {**metadata, PARKED_AT_KEY: now})
                return False
            if now - stamp <= ttl:
                return False
            await delete(thread_id)
            return True
    except ThreadConflictError:
        return False


async def on_thread(agent: Any, thread_id: str, *, ttl: float, now: float) -> list[str] | None:
    """The ids of the calls the run paused on ``thread_id`` waits for (an AG-UI resume),
    ``LookupError`` when none waits there, ``AlreadyResumedError`` when it was resumed,
    ``PausedRunExpired`` when it is a parked thread-less run older than ``ttl`` (removed
    now, as an approval by run id would); ``None`` when the agent's store keeps no
    metadata (the agent itself says then)."""
    get = getattr(agent.thread_store, "get_metadata", None)
    if get is None:
        return None
    metadata = await get(thread_id)
    if thread_id.startswith(OWN_PREFIX):
        await _unless_expired(agent.thread_store, thread_id, thread_id, metadata, ttl, now)
    stored = metadata.get(PAUSED_KEY)
    if not isinstance(stored, dict):
        raise LookupError(f"thread {thread_id!r} has no run waiting for approval")
    if stored.get("resumed"):
        raise AlreadyResumedError(f"the run paused on {thread_id!r} was already resumed")
    calls = stored.get("pending")
    calls = calls if isinstance(calls, list) else []
    return [str(c.get("id")) for c in calls if isinstance(c, dict)]


def check_decisions(pending: list[str], given: Any) -> None:
    """``BadRequest`` unless ``given`` (call id -> decision) decides each of ``pending``,
    and only those (said before the run resumes, so a refused resume claims nothing)."""
    from locus.serve._convert import BadRequest

    missing = [i for i in pending if i not in given]
    unknown = [i for i in given if i not in pending]
    if missing or unknown:
        raise BadRequest(
            f"decide each pending call, and only those: pending {pending}, "
            f"missing {missing}, unknown {unknown}"
        )


async def forgetting(
    agent: Any,
    paused: PausedRun,
    events: AsyncIterator[RunEvent],
    clock: Callable[[], float],
) -> AsyncIterator[RunEvent]:
    """``events`` of ``paused`` resumed on a thread ``register`` made; once they end, the
    thread is deleted if the pause it held was consumed (by this resume or another), or
    its run parked anew at ``clock()`` if it paused again."""
    try:
        async for event in events:
            yield event
    finally:
        assert paused.thread_id is not None
        await _forget(agent.thread_store, paused.thread_id, paused.state.id, clock)


async def _forget(store: Any, thread_id: str, pause_id: str, clock: Callable[[], float]) -> None:
    """Delete ``thread_id`` if the pause ``pause_id`` on it was claimed: not when a resume
    failed before its claim (the run is still resumable) nor when it paused again (a new
    pause id, parked now: its TTL starts again). Under the thread's lock, so a run going
    on there is never cut short; when one holds it, that is the resume that claimed the
    pause, which deletes it at its end."""
    get, delete = getattr(store, "get_metadata", None), getattr(store, "delete", None)
    lock = getattr(store, "lock", None)
    if get is None or delete is None:
        return
    try:
        async with lock(thread_id, timeout=_FORGET_WAIT) if lock else contextlib.nullcontext():
            metadata = dict(await get(thread_id))
            stored = metadata.get(PAUSED_KEY)
            if not isinstance(stored, dict):
                return
            if stored.get("id") == pause_id and stored.get("resumed"):
                await delete(thread_id)
            elif stored.get("id") != pause_id and not stored.get("resumed"):
                await store.set_metadata(thread_id, {**metadata, PARKED_AT_KEY: clock()})
    except ThreadConflictError:
        return
    except Exception as exc:  # the answer was sent; the thread stays, said in the log
        log.warning("could not delete or re-park the resumed run's thread %r: %s", thread_id, exc)


def thread_run_id(name: str, thread_id: str, stored: Any) -> str | None:
    """The run id of the run paused on ``thread_id`` (``stored``: its ``PAUSED_KEY``
    metadata) for the approvals route of agent ``name``; ``None`` when nothing waits."""
    if not isinstance(stored, dict) or stored.get("resumed") or not stored.get("id"):
        return None
    kind = "c" if thread_id.startswith(OWN_PREFIX) else "t"
    return _run_id(kind, name, thread_id, str(stored["id"]))


async def paused_conflict(name: str, agent: Any, thread_id: str) -> ThreadConflictError | None:
    """The 409 for a new prompt on ``thread_id`` while a run waits there for approval,
    naming the HTTP ways to finish or drop it (the agent's own error names Python
    calls); ``None`` when no run waits there (another conflict: the agent's error)."""
    get = getattr(agent.thread_store, "get_metadata", None)
    if get is None:
        return None
    stored = (await get(thread_id)).get(PAUSED_KEY)
    run_id = thread_run_id(name, thread_id, stored)
    if run_id is None:
        return None
    pending = stored.get("pending") if isinstance(stored, dict) else None
    calls = ", ".join(
        f"{p.get('tool')} ({p.get('id')})" for p in pending or () if isinstance(p, dict)
    )
    return ThreadConflictError(
        f"thread {thread_id!r} has a run waiting for approval of {calls}; approve or deny "
        f"its calls first: POST /v1/agents/{name}/runs/{run_id}/approvals with "
        '{"approvals": {"<call id>": {"approved": true}}}, or an AG-UI run on the thread '
        "with 'resume' entries; or drop the thread (its messages and the paused run) with "
        f"DELETE /v1/threads/{thread_id}?agent={name}"
    )


def _holds_metadata(store: Any) -> bool:
    return all(callable(getattr(store, m, None)) for m in ("get_metadata", "set_metadata"))


def _run_id(kind: str, name: str, thread_id: str, pause_id: str) -> str:
    encoded = base64.urlsafe_b64encode(thread_id.encode()).rstrip(b"=").decode()
    return f"run.{kind}.{name}.{encoded}.{pause_id}"


def _parse(run_id: str) -> tuple[str, str, str, str] | None:
    """``(kind, agent, thread id, pause id)`` of an id ``_run_id`` made; ``None`` for others."""
    parts = run_id.split(".", 4)
    if len(parts) != 5 or parts[0] != "run" or parts[1] not in ("t", "c") or not parts[4]:
        return None
    try:
        thread_id = base64.urlsafe_b64decode(parts[3] + "=" * (-len(parts[3]) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return parts[1], parts[2], thread_id, parts[4]
