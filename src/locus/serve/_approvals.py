"""Approvals over HTTP: reading AG-UI input (prompt or resume entries) and resuming runs.

A run that meets a tool call needing approval stops with ``stop_reason
"awaiting_approval"`` and its pending calls. On a thread, the agent keeps the paused
state in the thread store, so any server process can resume it: an AG-UI client sends
a new run on the same thread with ``resume`` entries (``interruptId`` = the call id,
``status`` resolved or cancelled, ``payload`` ``{"approved": bool, "reason": str,
"arguments": {...}}``). ``POST /v1/agents/{name}/runs/{run_id}/approvals`` with
``{"approvals": {call_id: payload}}`` does the same by the run id the paused run was
given (``_paused``: where the state waits, and how any process finds it).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from importlib import import_module
from typing import Any

from locus.agent import RunEvent
from locus.serve._convert import BadRequest, check_id, user_message
from locus.serve._state import ServeState

__all__ = ["decisions", "parse_approvals", "parse_run_input", "resumed"]


def parse_run_input(body: Any) -> tuple[str, str, Any, dict[str, Any] | None]:
    """``(thread_id, run_id, prompt, resume)`` from an AG-UI ``RunAgentInput``.

    The prompt is the last user message; the thread (the agent's store) is the
    history, so the client's earlier messages are not replayed. With ``resume`` the
    prompt is ``None`` and ``resume`` maps each call id to its payload.
    """
    if not isinstance(body, dict):
        raise BadRequest("the body must be an AG-UI RunAgentInput object")
    thread_id = _id(body, "threadId", "thread_id") or f"thread-{uuid.uuid4().hex}"
    run_id = _id(body, "runId", "run_id") or f"run-{uuid.uuid4().hex}"
    entries = body.get("resume")
    if entries:
        return thread_id, run_id, None, _resume_entries(entries)
    messages = body.get("messages")
    if not isinstance(messages, list):
        raise BadRequest("'messages' must be a list ending with a user message")
    users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    if not users:
        raise BadRequest("no user message to answer: add one with role 'user'")
    return thread_id, run_id, user_message(users[-1].get("content", "")), None


def _id(body: dict[str, Any], camel: str, snake: str) -> str | None:
    value = body.get(camel, body.get(snake))
    return None if value is None else check_id(value, camel)


def _resume_entries(entries: Any) -> dict[str, Any]:
    if not isinstance(entries, list):
        raise BadRequest("'resume' must be a list of {interruptId, status, payload}")
    out: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise BadRequest("each resume entry needs an 'interruptId'")
        call_id = check_id(entry.get("interruptId", entry.get("interrupt_id")), "interruptId")
        payload = entry.get("payload") or {}
        if entry.get("status") == "cancelled":
            payload = {"approved": False, "reason": "cancelled by the user"}
        out[call_id] = payload
    return out


def parse_approvals(body: Any) -> dict[str, Any]:
    """``{"approvals": {call_id: payload}}`` from the approvals route's body."""
    approvals = body.get("approvals") if isinstance(body, dict) else None
    if not isinstance(approvals, dict) or not approvals:
        raise BadRequest('send {"approvals": {"<call id>": {"approved": true}}}')
    return approvals


def decisions(payloads: dict[str, Any]) -> dict[str, Any]:
    """Call id -> ``Approve`` / ``Deny`` from the JSON payloads."""
    agent_module = import_module("locus.agent")
    approve, deny = agent_module.Approve, agent_module.Deny
    out: dict[str, Any] = {}
    for call_id, payload in payloads.items():
        if not isinstance(payload, dict) or not isinstance(payload.get("approved"), bool):
            raise BadRequest(f"approval for {call_id!r} needs 'approved': true or false")
        check_id(call_id, "approvals key")
        if payload["approved"]:
            arguments = payload.get("arguments")
            if arguments is not None and not isinstance(arguments, dict):
                raise BadRequest(f"approval for {call_id!r}: 'arguments' must be an object")
            out[call_id] = approve(arguments=arguments) if arguments is not None else approve()
        else:
            reason = payload.get("reason")
            if reason is not None and not isinstance(reason, str):
                raise BadRequest(f"denial of {call_id!r}: 'reason' must be a string")
            out[call_id] = deny(reason or "denied by the user")
    return out


async def resumed(
    agent: Any,
    thread_id: str | None,
    payloads: dict[str, Any],
    state: ServeState,
    run_state: object | None = None,
) -> AsyncIterator[RunEvent]:
    """The events of a paused run resumed with the given decisions.

    The agent emits no event for a call it was told to deny (it answers it with the
    denial, which the model reads); so that a client sees every call of the paused turn
    answered, each denied call of the run's own (not a sub-agent's) is shown here as a
    ``ToolCallStarted`` and a ``ToolCallFinished`` carrying the agent's denial message,
    just before the agent's first event: after the resume claimed the pause (a refused
    resume shows nothing)."""
    if not callable(getattr(agent, "resume_stream", None)):
        raise BadRequest("this agent cannot resume runs (it has no approvals)")
    approvals = decisions(payloads)
    paused = run_state if run_state is not None else await _stored_state(agent, thread_id)
    with state.run():
        events = agent.resume_stream(run_state, thread_id=thread_id, approvals=approvals)
        shown = False
        async with aclosing(events):
            async for event in events:
                if not shown:
                    shown = True
                    iteration = getattr(event, "iteration", None)
                    for denial in _denials(paused, approvals, iteration):
                        yield denial
                yield event


async def _stored_state(agent: Any, thread_id: str | None) -> Any:
    """The paused ``RunState`` kept on ``thread_id`` (``None`` when none can be read; the
    agent then says why it cannot resume)."""
    get = getattr(agent.thread_store, "get_metadata", None)
    if thread_id is None or get is None:
        return None
    from locus.agent import RunState
    from locus.agent._pausing import PAUSED_KEY

    stored = (await get(thread_id)).get(PAUSED_KEY)
    if not isinstance(stored, dict) or stored.get("resumed"):
        return None
    try:
        return RunState.load(stored)
    except Exception:  # the agent reads it again, and says what is wrong with it
        return None


def _denials(paused: Any, approvals: dict[str, Any], iteration: int | None) -> list[RunEvent]:
    """``ToolCallStarted``/``ToolCallFinished`` for each denied call of the run's own."""
    if paused is None:
        return []
    from locus.agent import ToolCallFinished, ToolCallStarted
    from locus.agent._pausing import _denied  # the denial the agent answers the call with
    from locus.agent._state import Deny
    from locus.core.messages import ToolCall

    step = iteration if iteration is not None else int(paused.metrics.get("iterations", 0))
    out: list[RunEvent] = []
    for pending in paused.pending:
        decision = approvals.get(pending.id)
        if pending.path or not isinstance(decision, Deny):
            continue
        call = ToolCall(id=pending.id, name=pending.tool, arguments=dict(pending.arguments))
        outcome = _denied(call, decision)
        out.append(ToolCallStarted(call=call, iteration=step))
        out.append(
            ToolCallFinished(
                call=call,
                result=outcome.message,
                error=outcome.error,
                duration_ms=0.0,
                iteration=step,
            )
        )
    return out
