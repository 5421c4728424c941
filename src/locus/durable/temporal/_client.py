"""Starting durable runs and talking to them: ``run``, ``start_run`` and ``DurableRun``.

What Temporal answers a ``DurableRun`` is turned into Locus errors (``_ended``): a run that
does not exist is a ``ConfigurationError``; a decision for a run that has ended, a
``RunError``; a cancelled run's result, a ``RunCancelledError``; a decision for a call that
does not wait, or that was decided, a ``ConfigurationError`` or ``AlreadyResumedError``
from the workflow's ``locus.decide_call`` update (``_workflow``).
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError

from locus.agent import AgentResult, PendingCall
from locus.agent._options import as_messages, run_documents
from locus.core.errors import ConfigurationError, ThreadConflictError
from locus.durable.temporal import _wire as wire
from locus.durable.temporal._deps import check_deps_size
from locus.durable.temporal._ended import ended_error, missing_or_ended, unanswered
from locus.durable.temporal._errors import locus_error
from locus.durable.temporal._results import result_from_json
from locus.durable.temporal._sizes import MAX_ARGUMENTS_BYTES, MAX_PAYLOAD_BYTES, json_size
from locus.durable.temporal._workflow import WORKFLOW_NAME

__all__ = ["DurableRun", "run", "start_run"]

T = TypeVar("T")

ANSWER_TIMEOUT = 30.0
"""Seconds ``approve``, ``deny``, ``pending`` and ``events`` wait for a worker to answer by
default (Temporal's own bound on a query)."""


class DurableRun:
    """A durable run in progress (a Temporal workflow); any process may hold one.

    ``DurableRun(client, run_id)`` finds a run started elsewhere (``run_id`` is the
    workflow id, ``DurableRun.id``).
    """

    def __init__(self, client: Client, run_id: str) -> None:
        self.id = run_id
        self.handle: WorkflowHandle[Any, Any] = client.get_workflow_handle(run_id)

    async def result(self) -> AgentResult[Any]:
        """Wait for the run's end; its ``AgentResult`` (its typed error if it failed)."""
        try:
            raw = await self._asked(self.handle.result())
        except WorkflowFailureError as exc:
            found = ended_error(exc, self.id) or locus_error(exc)
            if found is exc:  # (``from None`` would drop its cause)
                raise
            raise found from None
        return result_from_json(raw)

    async def approve(
        self,
        call_id: str,
        *,
        arguments: dict[str, Any] | None = None,
        timeout: float = ANSWER_TIMEOUT,
    ) -> None:
        """Let the waiting call ``call_id`` run (with ``arguments`` instead of the model's)."""
        _check_timeout(timeout)
        if arguments is not None and not isinstance(arguments, dict):
            raise ConfigurationError(f"arguments must be a dict, got {type(arguments).__name__}")
        if arguments is not None:
            arguments = wire.arguments_to_json(arguments)
            size = json_size(arguments)
            if size > MAX_ARGUMENTS_BYTES:
                raise ConfigurationError(
                    f"the arguments are {size} bytes of JSON, over the limit of "
                    f"{MAX_ARGUMENTS_BYTES} bytes for an approved call's arguments (they join "
                    "the conversation, which the run's result carries whole): pass a reference "
                    "(an id, a path) that the tool reads instead of the data itself"
                )
        decision = {"call_id": call_id, "approved": True, "arguments": arguments}
        await self._decide(decision, timeout)

    async def deny(
        self, call_id: str, reason: str = "the call was denied", *, timeout: float = ANSWER_TIMEOUT
    ) -> None:
        """Refuse the waiting call ``call_id``; the model reads ``reason`` as its result.

        ``approve`` and ``deny`` return once the run has the decision (a worker must be
        running, as for ``pending``). A call that does not wait is a ``ConfigurationError``
        naming the calls that do; a call already decided, an ``AlreadyResumedError`` (the
        first decision stands); a run that has ended, a ``RunError``. When no worker answers
        within ``timeout`` seconds (every worker down), a ``ConfigurationError`` says so, and
        that the decision may still be taken by the first worker to start."""
        _check_timeout(timeout)
        await self._decide({"call_id": call_id, "approved": False, "reason": str(reason)}, timeout)

    async def pending(self, *, timeout: float = ANSWER_TIMEOUT) -> list[PendingCall]:
        """The calls waiting for a decision now (a query: a worker must be running; one
        that does not answer within ``timeout`` seconds is a ``ConfigurationError``). A call
        of a sub-agent (``agent.as_tool``) has the id ``<calling call id>/<its id>`` (at
        each level) and the agents down to the one that asks as its ``path``."""
        _check_timeout(timeout)
        query = self.handle.query("locus.pending", result_type=list)
        found = await self._asked(query, within=timeout)
        return [
            PendingCall(str(c["id"]), str(c["name"]), dict(c["arguments"]), _path(c)) for c in found
        ]

    async def events(
        self, since: int = 0, *, timeout: float = ANSWER_TIMEOUT
    ) -> list[dict[str, Any]]:
        """The run's events from index ``since`` on, as JSON objects with a ``kind`` (a
        query: a worker must be running, and answer each page within ``timeout`` seconds).
        Poll with ``since=`` the count seen so far."""
        _check_timeout(timeout)
        if isinstance(since, bool) or not isinstance(since, int) or since < 0:
            raise ConfigurationError(
                f"since must be the number of events seen so far (0 or more), got {since!r}"
            )
        found: list[dict[str, Any]] = []
        while True:  # (in pages: all of a long run's events may not fit in one answer)
            query = self.handle.query("locus.events_page", since + len(found), result_type=dict)
            page = await self._asked(query, within=timeout)
            found += page["events"]
            if not page["more"]:
                return found

    async def cancel(self) -> None:
        """Ask the run to stop (its pending activities are cancelled); ``result()`` then
        raises ``RunCancelledError``. A run that has ended stays as it ended."""
        await self._asked(self.handle.cancel())

    async def _decide(self, decision: dict[str, Any], timeout: float) -> None:
        if not isinstance(decision["call_id"], str) or not decision["call_id"]:
            raise ConfigurationError("call_id must be the id of a pending call (a string)")
        try:
            update = self.handle.execute_update("locus.decide_call", decision)
            await self._asked(update, within=timeout, decision=True)
        except WorkflowUpdateFailedError as exc:  # refused by the workflow, typed
            if not _no_update_handler(exc.cause):
                raise locus_error(exc.cause) from None
            # a worker from before decide_call: its signal (a decision it cannot take is
            # dropped there, as it always was)
            await self._asked(self.handle.signal("locus.decide", decision))

    async def _asked(
        self, work: Awaitable[T], *, within: float | None = None, decision: bool = False
    ) -> T:
        """``work`` (a request about this run to Temporal); a run that does not exist, or
        that has ended when the request needs it running, as a Locus error; one that a
        worker must answer (``within`` seconds) and none did, as a ``ConfigurationError``
        (which says, for a ``decision``, that it may still be taken)."""
        bound = asyncio.timeout(within)
        try:
            async with bound:
                return await work
        except (TimeoutError, RPCTimeoutOrCancelledError):
            if not bound.expired():  # (the caller's own cancel, or Temporal's)
                raise
            waited = f"waited {within:g} s"
            found = await unanswered(self.handle, waited, decision=decision)
            if found is None:
                raise
            raise found from None
        except RPCError as exc:
            raise await missing_or_ended(exc, self.handle) from None


def _check_timeout(
    timeout: float, name: str = "timeout", what: str = "how long to wait for a worker to answer"
) -> None:
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ConfigurationError(
            f"{name} must be a number of seconds above 0, got {timeout!r}: {what}"
        )


def _no_update_handler(cause: BaseException) -> bool:
    """Whether the run's worker has no ``locus.decide_call`` (it is from before it)."""
    return isinstance(cause, ApplicationError) and "'locus.decide_call' expected but not found" in (
        cause.message
    )


def _path(pending: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(name) for name in pending.get("path") or ())


async def start_run(
    client: Client,
    agent: str,
    prompt: Any,
    *,
    task_queue: str,
    thread_id: str | None = None,
    run_id: str | None = None,
    heartbeat_timeout: float = 30.0,
    model_timeout: float = 600.0,
    tool_timeout: float = 3600.0,
    local_activities: bool = True,
    deps: Any = None,
    documents: Sequence[Mapping[str, Any]] | None = None,
) -> DurableRun:
    """Start a durable run of the agent a worker serves as ``agent`` (``"module:agent"``).

    ``prompt`` is text or messages. With ``thread_id`` the conversation is the agent's
    thread (in the worker's thread store) and the run's id is ``locus-thread-<id>``, so
    one thread has one run at a time (a second is a ``ThreadConflictError``). The
    timeouts (seconds) bound each model and tool activity; a worker that dies in a tool
    call is noticed after ``heartbeat_timeout``.

    With ``local_activities`` (the default) model calls, approval rules, thread loads and
    toolset listings are local activities: the worker runs them inside the workflow task
    and their answers are recorded as markers with the next command (a tool call, the
    run's end), which saves the server a round trip each. Tool calls and thread appends are always
    activities. ``local_activities=False`` makes every call an activity.

    ``deps`` is the run's dependencies as a JSON value (or a pydantic model, sent as its
    JSON): the user the run acts for, say. It travels in the workflow's input, so it is
    in Temporal's history for as long as the run is: never put a secret in it. The
    worker turns it into what tools see as ``ctx.deps`` (``create_worker(deps=...)``);
    hooks, output validators and history processors, which run in the workflow, see the
    JSON value itself. A value that is not JSON is a ``ConfigurationError``, before the
    run is started.

    ``documents`` ground each model call of the run, as ``agent.arun(documents=...)``
    (Cohere models; docs/rag.md): they travel in the workflow's input too.
    """
    if not isinstance(agent, str) or ":" not in agent:
        raise ConfigurationError(f"agent must be the 'module:agent' a worker serves, got {agent!r}")
    if not isinstance(task_queue, str) or not task_queue:
        raise ConfigurationError(
            f"task_queue must be the name of the task queue the agent's workers poll (`locus "
            f"worker --task-queue NAME {agent}`), got {task_queue!r}"
        )
    for name, value, what in (
        (
            "heartbeat_timeout",
            heartbeat_timeout,
            "how soon a worker that died in a tool call is noticed",
        ),
        ("model_timeout", model_timeout, "the longest one model call may take"),
        ("tool_timeout", tool_timeout, "the longest one tool call may take"),
    ):
        _check_timeout(value, name, what.strip())  # (a run started with one would be stuck)
    deps = wire.deps_to_json(deps)
    check_deps_size(deps)
    grounded = run_documents(documents)  # (checked as a plain run checks them)
    if run_id is None:
        run_id = f"locus-thread-{thread_id}" if thread_id else f"locus-run-{uuid.uuid4().hex}"
    request: dict[str, Any] = {
        "agent": agent,
        "prompt": wire.messages_to_json(as_messages(prompt)),
        "thread_id": thread_id,
        "settings": {
            "heartbeat": heartbeat_timeout,
            "model": model_timeout,
            "tool": tool_timeout,
            "local": bool(local_activities),
        },
    }
    if deps is not None:  # (a run without deps has the input it always had)
        request["deps"] = deps
    if grounded is not None:  # (nor one without documents)
        request["documents"] = [dict(document) for document in grounded]
    size = json_size(request)
    if size > MAX_PAYLOAD_BYTES:
        raise ConfigurationError(
            f"the run's input is {size} bytes of JSON (its prompt "
            f"{json_size(request['prompt'])}), over Temporal's payload limit "
            f"({MAX_PAYLOAD_BYTES} bytes here): put large documents where the agent's tools "
            "can read them (a file, a store, a URL) and give the prompt their names"
        )
    try:
        await client.start_workflow(WORKFLOW_NAME, request, id=run_id, task_queue=task_queue)
    except WorkflowAlreadyStartedError:
        raise ThreadConflictError(
            f"a durable run {run_id!r} is already running; wait for it (DurableRun(client, "
            f"{run_id!r}).result()) before starting another on it"
        ) from None
    return DurableRun(client, run_id)


async def run(
    client: Client,
    agent: str,
    prompt: Any,
    *,
    task_queue: str,
    thread_id: str | None = None,
    **options: Any,
) -> AgentResult[Any]:
    """Start a durable run and wait for its result (see ``start_run`` for the options,
    ``deps=`` among them)."""
    started = await start_run(
        client, agent, prompt, task_queue=task_queue, thread_id=thread_id, **options
    )
    return await started.result()
