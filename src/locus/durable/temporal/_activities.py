"""The activities a worker runs: the agent's real model, tools and toolsets, its thread store.

Each activity finds the agent the worker serves under the run's spec (``_agents``; a
sub-agent through the tools that lead to it), so models are built in the worker from its
own settings and credentials: no client, key or header is ever an activity's argument or
result. A Locus error leaves as an
``ApplicationError`` carrying safe context only (``_errors``). Long calls heartbeat,
so that a worker killed mid-call is noticed within the heartbeat timeout and the call
is retried on another worker.

Tool calls and approval rules are methods of a worker's ``RunActivities``: they give the
tool (or the rule) the run's deps as that worker turns them into an object (``_deps``);
the other activities are the same functions for every worker.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any, TypeVar

from temporalio import activity

from locus.agent import Agent, RunContext
from locus.core.errors import LocusError
from locus.core.usage import Usage
from locus.durable.temporal import _wire as wire
from locus.durable.temporal._agents import agent_at, served
from locus.durable.temporal._attempts import retry_delay, single_attempt
from locus.durable.temporal._deps import WorkerDeps, check_deps_type
from locus.durable.temporal._errors import application_error
from locus.durable.temporal._sizes import MAX_PAYLOAD_BYTES, json_size, unrecordable
from locus.durable.temporal._toolsets import approval_rule as rule_of
from locus.durable.temporal._toolsets import listing, run_call
from locus.models.http import RetryPolicy
from locus.tools._executor import ToolOutcome

__all__ = ["ACTIVITIES", "RunActivities", "activities"]

T = TypeVar("T")


def _agent(request: dict[str, Any]) -> Agent[Any]:
    try:
        root = served(str(request["agent"]))
        return agent_at(root, request.get("via") or (), str(request["name"]))
    except LocusError as exc:  # not served here: a misconfigured worker, never retried
        raise application_error(exc) from None


async def _heartbeating(work: Awaitable[T], retry: RetryPolicy | None = None) -> T:
    """Await ``work``, heartbeating a few times per heartbeat timeout while it runs (a
    heartbeat is a request to the server: none for a call that ends sooner, none for a
    local activity); Locus errors leave as ``ApplicationError``s (with a server's
    ``Retry-After``, capped by ``retry``, as the delay before Temporal's next attempt)."""
    info = activity.info()
    timeout = None if info.is_local else info.heartbeat_timeout
    task = asyncio.ensure_future(work)
    try:
        if timeout:
            every = timeout.total_seconds() / 3
            while not (await asyncio.wait({task}, timeout=every))[0]:
                activity.heartbeat()
        return await task
    except LocusError as exc:
        raise application_error(exc, retry_delay(exc, retry)) from None
    finally:
        if not task.done():
            task.cancel()


def _context(agent: Agent[Any], request: dict[str, Any], deps: Any) -> RunContext[Any]:
    run = request.get("run") or {}
    return RunContext(
        agent.name,
        str(run.get("run_id") or ""),
        run.get("thread_id"),
        int(run.get("iteration") or 0),
        deps,
        [],
        Usage(),
        str(request["call"]["id"]),
    )


@activity.defn(name="locus.model_call")
async def model_call(request: dict[str, Any]) -> dict[str, Any]:
    """One request to the agent's real model (its own retries off: Temporal's retry policy
    is the schedule, ``_attempts``); the answer as JSON."""
    agent = _agent(request)
    messages = wire.messages_from_json(request["messages"])
    tools = wire.specs_from_json(request["tools"]) or None
    model = single_attempt(agent.model)
    retry = getattr(agent.model, "retry", None)
    policy = retry if isinstance(retry, RetryPolicy) else None
    response = await _heartbeating(model.complete(messages, tools, **request["kwargs"]), policy)
    return _recordable(wire.response_to_json(response), "the model's answer")


_SMALLER = (
    "keep the conversation smaller (a smaller max_tool_result_chars, a history_processor "
    "that drops old tool results)"
)


def _recordable(found: T, what: str) -> T:
    """``found``, an activity's result, unless Temporal would refuse to record it (then a
    ``RunError`` that fails the run, instead of a workflow task that fails forever)."""
    size = json_size(found)
    if size > MAX_PAYLOAD_BYTES:
        raise unrecordable(what, size, _SMALLER)
    return found


class RunActivities:
    """The activities that run a call with the run's deps, for one worker (its ``deps``)."""

    def __init__(self, deps: WorkerDeps) -> None:
        self.deps = deps

    async def _deps_of(self, agent: Agent[Any], request: dict[str, Any]) -> Any:
        """What the call's tool (or rule) sees as ``ctx.deps`` in this worker."""
        info = activity.info()
        run = (str(info.workflow_id), str(info.workflow_run_id))
        deps = await self.deps.for_run(run, lambda: _run_deps(request.get("run") or {}))
        check_deps_type(agent._config.deps_type, deps, agent.name)
        return deps

    @activity.defn(name="locus.tool_call")
    async def tool_call(self, request: dict[str, Any]) -> dict[str, Any]:
        """One call of the agent's real tool (its own, or one its toolset ``toolset``
        lists): its result text, and whether it is an error (a tool that fails is a result
        the model reads, not a failed activity)."""
        agent = _agent(request)
        call = wire.call_from_json(request["call"])

        async def run() -> ToolOutcome:
            context = _context(agent, request, await self._deps_of(agent, request))
            return await run_call(agent, call, context, request.get("toolset"))

        outcome = await _heartbeating(run())
        size = json_size(outcome.message.text)
        if size > MAX_PAYLOAD_BYTES:  # (the call ran: the model reads why it has no result)
            text = (
                f"Error: tool {call.name!r} returned {size} bytes, over the {MAX_PAYLOAD_BYTES} "
                "bytes a durable run can record as a call's result (Temporal's payload "
                "limit): it ran, but its result is not kept. Return less, or give the agent "
                "a smaller max_tool_result_chars (longer results are cut to it)"
            )
            return {"text": text, "is_error": True}
        return {"text": outcome.message.text, "is_error": outcome.is_error}

    @activity.defn(name="locus.approval_rule")
    async def approval_rule(self, request: dict[str, Any]) -> bool:
        """Whether a call needs approval, by its tool's ``requires_approval`` function
        (which sees the run's deps as the tool would)."""
        agent = _agent(request)
        call = wire.call_from_json(request["call"])

        async def ask() -> bool:
            rule = await rule_of(agent, call.name, request.get("toolset"))
            if not callable(rule):
                return bool(rule)
            found = rule(call, _context(agent, request, await self._deps_of(agent, request)))
            return bool(await found if inspect.isawaitable(found) else found)

        return await _heartbeating(ask())


async def _run_deps(run: dict[str, Any]) -> Any:
    """The run's JSON deps: read from its workflow input (the call says the run has some),
    or from the call itself in a history recorded when every call carried them."""
    if "deps" in run:
        return run["deps"]
    if not run.get("has_deps"):
        return None
    info = activity.info()
    client = activity.client()
    handle = client.get_workflow_handle(str(info.workflow_id), run_id=info.workflow_run_id)
    async for event in handle.fetch_history_events(page_size=1):  # the start: the input
        payloads = event.workflow_execution_started_event_attributes.input.payloads
        request = (await client.data_converter.decode(payloads))[0]
        return request.get("deps")
    return None  # pragma: no cover - a run's history starts with its input


@activity.defn(name="locus.toolset_list")
async def toolset_list(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The tools the agent's toolsets offer a run (a read: the workflow records it)."""
    return _recordable(await _heartbeating(listing(_agent(request))), "the toolsets' listing")


@activity.defn(name="locus.thread_load")
async def thread_load(request: dict[str, Any]) -> list[Any]:
    agent = _agent(request)
    messages = await _heartbeating(agent.thread_store.load(str(request["thread_id"])))
    return _recordable(wire.messages_to_json(messages), "the thread")


@activity.defn(name="locus.thread_append")
async def thread_append(request: dict[str, Any]) -> None:
    agent = _agent(request)
    messages = wire.messages_from_json(request["messages"])
    await _heartbeating(agent.thread_store.append(str(request["thread_id"]), messages))


ACTIVITIES = (model_call, toolset_list, thread_load, thread_append)
"""The activities that are the same for every worker."""


def activities(deps: WorkerDeps) -> list[Any]:
    """Every activity of a worker whose tools see ``deps``."""
    run = RunActivities(deps)
    return [*ACTIVITIES, run.tool_call, run.approval_rule]
