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
from collections.abc import AsyncIterator
from typing import Any

from locus.agent import RunEvent
from locus.core.errors import AlreadyResumedError, ThreadConflictError
from locus.serve._state import PausedRun, ServeState

__all__ = ["PAUSED_KEY", "check_decisions", "find", "forgetting", "on_thread", "register"]

PAUSED_KEY = "locus.paused_run"
"""Where the agent keeps a thread's paused run in its metadata (docs/approvals.md)."""

_OWN_PREFIX = "paused-completion-"
_FORGET_WAIT = 1.0
"""Seconds to wait for the lock of a thread to delete (another resume holds it meanwhile)."""
log = logging.getLogger("locus.serve")


async def register(
    name: str, agent: Any, result: Any, state: ServeState, *, own_thread: bool = False
) -> str:
    """The run id of ``result``, a run of ``agent`` (served as ``name``) that paused;
    a thread-less run's state is made findable first. ``own_thread``: the run was resumed
    on a thread this module made."""
    pause = result.state
    if result.thread_id is not None:
        return _run_id("c" if own_thread else "t", name, result.thread_id, pause.id)
    store = agent.thread_store
    if _holds_metadata(store):
        thread_id = _OWN_PREFIX + secrets.token_hex(16)
        await store.set_metadata(thread_id, {PAUSED_KEY: pause.to_json()})
        return _run_id("c", name, thread_id, pause.id)
    run_id = f"run-{secrets.token_hex(16)}"
    state.paused[run_id] = PausedRun(name, None, pause)
    return run_id


async def find(name: str, agent: Any, run_id: str, state: ServeState) -> PausedRun | None:
    """The paused run ``run_id`` names, if ``agent`` has it waiting; ``AlreadyResumedError``
    when it was resumed already (its thread keeps that mark)."""
    parsed = _parse(run_id)
    if parsed is None:
        held = state.paused.get(run_id)
        return held if held is not None and held.agent == name else None
    kind, issued_for, thread_id, pause_id = parsed
    get = getattr(agent.thread_store, "get_metadata", None)
    if issued_for != name or get is None:
        return None
    stored = (await get(thread_id)).get(PAUSED_KEY)
    if not isinstance(stored, dict) or stored.get("id") != pause_id:
        return None
    if stored.get("resumed"):
        raise AlreadyResumedError(f"the run {run_id!r} was already resumed (its calls ran once)")
    from locus.agent import RunState

    return PausedRun(name, thread_id, RunState.load(stored), own_thread=kind == "c")


async def on_thread(agent: Any, thread_id: str) -> list[str] | None:
    """The ids of the calls the run paused on ``thread_id`` waits for (an AG-UI resume),
    ``LookupError`` when none waits there, ``AlreadyResumedError`` when it was resumed;
    ``None`` when the agent's store keeps no metadata (the agent itself says then)."""
    get = getattr(agent.thread_store, "get_metadata", None)
    if get is None:
        return None
    stored = (await get(thread_id)).get(PAUSED_KEY)
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
    agent: Any, paused: PausedRun, events: AsyncIterator[RunEvent]
) -> AsyncIterator[RunEvent]:
    """``events`` of ``paused`` resumed on a thread ``register`` made; once they end, the
    thread is deleted if the pause it held was consumed (by this resume or another)."""
    try:
        async for event in events:
            yield event
    finally:
        assert paused.thread_id is not None
        await _forget(agent.thread_store, paused.thread_id, paused.state.id)


async def _forget(store: Any, thread_id: str, pause_id: str) -> None:
    """Delete ``thread_id`` if the pause ``pause_id`` on it was claimed: not when a resume
    failed before its claim (the run is still resumable) nor when it paused again (a new
    pause id). Under the thread's lock, so a run going on there is never cut short; when
    one holds it, that is the resume that claimed the pause, which deletes it at its end."""
    get, delete = getattr(store, "get_metadata", None), getattr(store, "delete", None)
    lock = getattr(store, "lock", None)
    if get is None or delete is None:
        return
    try:
        async with lock(thread_id, timeout=_FORGET_WAIT) if lock else contextlib.nullcontext():
            stored = (await get(thread_id)).get(PAUSED_KEY)
            if isinstance(stored, dict) and stored.get("id") == pause_id and stored.get("resumed"):
                await delete(thread_id)
    except ThreadConflictError:
        return
    except Exception as exc:  # the answer was sent; the thread stays, said in the log
        log.warning("could not delete the resumed run's thread %r: %s", thread_id, exc)


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
