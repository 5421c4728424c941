"""What Temporal answers about a durable run that does not exist, or has ended, as Locus errors.

A ``DurableRun`` is only an id: the run may never have existed (a typo, another cluster or
namespace), or may have ended (completed, failed, cancelled) before a decision or a cancel
arrives; or no worker may be running to answer a question about it (the client's request
times out after 30 s). Temporal answers those with an ``RPCError`` (``NOT_FOUND``, both),
and a run that was cancelled, terminated or timed out with a ``WorkflowFailureError`` that
carries no Locus error. These become the Locus errors ``DurableRun`` documents, each
saying what to do.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import CancelledError, TerminatedError, TimeoutError
from temporalio.service import RPCError, RPCStatusCode

from locus.core.errors import (
    ConfigurationError,
    LocusError,
    RunCancelledError,
    RunError,
    RunTimeoutError,
)

__all__ = ["ended_error", "missing_or_ended", "unanswered"]


async def missing_or_ended(exc: RPCError, handle: WorkflowHandle[Any, Any]) -> BaseException:
    """The Locus error for ``exc``, an answer about the run ``handle`` names: a
    ``ConfigurationError`` when no such run exists, a ``RunError`` when it has ended;
    ``exc`` itself for any other answer (the cluster cannot be reached, say)."""
    timed_out = exc.status == RPCStatusCode.CANCELLED and "timeout" in exc.message.lower()
    if timed_out or exc.status == RPCStatusCode.DEADLINE_EXCEEDED:
        return await _unanswered(exc, handle)
    if exc.status != RPCStatusCode.NOT_FOUND:
        return exc
    try:
        described = await handle.describe()
    except RPCError as again:
        if again.status != RPCStatusCode.NOT_FOUND:
            return exc
        return ConfigurationError(
            f"no durable run {handle.id!r} in this Temporal namespace: check the id "
            "(DurableRun.id, start_run's run_id=) and that the client is connected to the "
            "run's cluster and namespace"
        )
    status = described.status.name.lower() if described.status is not None else "closed"
    return RunError(
        f"durable run {handle.id!r} has ended ({status}): nothing waits for a decision, and "
        f"nothing sent to it now changes it; DurableRun(client, {handle.id!r}).result() says "
        "how it ended, .events() what it did"
    )


async def _unanswered(exc: RPCError, handle: WorkflowHandle[Any, Any]) -> BaseException:
    """A question (a query) no worker answered in time: most often, none is running."""
    found = await unanswered(handle, exc.message)
    return exc if found is None else found


async def unanswered(
    handle: WorkflowHandle[Any, Any], why: str, *, decision: bool = False
) -> ConfigurationError | None:
    """The error for a request about the run ``handle`` names that no worker answered in
    time (``why``: how long was waited); ``None`` when the run cannot be described either.
    For a ``decision`` it also says what became of the decision: sent, but not confirmed."""
    try:
        queue = (await handle.describe()).task_queue
    except RPCError:
        return None
    found = (
        f"no worker answered about durable run {handle.id!r} in time ({why}): a worker must "
        f"be running on its task queue {queue!r} to answer pending(), events() and decisions "
        f"(`locus worker --task-queue {queue} module:agent`); the run waits for one, and "
        "loses nothing meanwhile"
    )
    if decision:
        found += (
            ". The decision was sent but not confirmed: the first worker to start may still "
            "take it. Once one runs, read pending(): a call still listed waits, so send the "
            "decision again (an AlreadyResumedError then says the first was taken, and stands)"
        )
    return ConfigurationError(found)


def ended_error(exc: WorkflowFailureError, run_id: str) -> LocusError | None:
    """The Locus error of a run that did not end by itself: cancelled, terminated, timed
    out; ``None`` for a run that failed (its own Locus error is in the failure)."""
    cause = exc.cause
    kept = f"what it did is kept: DurableRun(client, {run_id!r}).events(), and its history"
    if isinstance(cause, CancelledError):
        return RunCancelledError(f"durable run {run_id!r} was cancelled; {kept}")
    if isinstance(cause, TerminatedError):
        return RunError(f"durable run {run_id!r} was terminated (in Temporal); {kept}")
    if isinstance(cause, TimeoutError):
        return RunTimeoutError(f"durable run {run_id!r} timed out (in Temporal); {kept}")
    return None
