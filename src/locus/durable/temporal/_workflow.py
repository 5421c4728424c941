"""``AgentWorkflow``: one agent run as a Temporal workflow.

The workflow runs the agent's own loop with its side effects as activities (see
``_stand_ins``). A call that needs approval waits here, in ``decision``, for a
``locus.decide_call`` update (which refuses, typed, a decision it cannot take) or a
``locus.decide`` signal (clients from before): no process is held while it waits, for
minutes or days. The run's events are kept and answered by the ``locus.events_page`` query
(in pages; a sub-agent's run's events wrapped in ``sub_agent_event``s, see ``_scope``);
``locus.pending`` lists the calls waiting for a decision, a sub-run's under
``<calling call id>/<its id>``.

Deps: the run's ``deps`` (a JSON value in the workflow's input) are what hooks, output
validators and history processors see as ``ctx.deps`` here (a copy: a change they make
is not seen by tools); tool calls and approval rules say only that the run has deps: the
worker reads the value from this input and turns it into the object tools see (``_deps``).

Determinism: the loop's run id is the workflow id (not a fresh ``uuid4``), no deadline
runs in the workflow (Temporal's timeouts replace it), and the only waits are
activities and ``workflow.wait_condition``. The module has no import-time side effects;
``locus`` is passed through Temporal's sandbox (the worker's agents are the same
objects inside it).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from locus.agent._events import RunFinished
    from locus.agent._run import AgentRun, RunRequest
    from locus.core.errors import AlreadyResumedError, ConfigurationError, LocusError
    from locus.core.messages import ToolCall
    from locus.durable.temporal import _wire as wire
    from locus.durable.temporal._agents import served
    from locus.durable.temporal._configs import durable_config
    from locus.durable.temporal._errors import application_error
    from locus.durable.temporal._results import result_to_json
    from locus.durable.temporal._scope import (
        CALL_IDS_PER_CONVERSATION,
        Emit,
        Scope,
        keep_ids_rule,
    )
    from locus.durable.temporal._sizes import (
        MAX_PAYLOAD_BYTES,
        events_page,
        json_size,
        unrecordable,
    )
    from locus.durable.temporal._sub_runs import SUB_RUNS
    from locus.durable.temporal._where import Settings

__all__ = ["WORKFLOW_NAME", "AgentWorkflow"]

WORKFLOW_NAME = "locus.agent_run"

DECISIONS_PER_CALL = "locus.decisions_per_call"
"""The ``workflow.patched`` id of the rule that a decision belongs to the call waiting
for it (see ``AgentWorkflow.decision``)."""


_LONG = (
    "keep the conversation smaller (a history_processor that drops old tool results, a "
    "smaller max_tool_result_chars), or split the work into runs on one thread_id"
)


@workflow.defn(name=WORKFLOW_NAME)
class AgentWorkflow:
    """One durable agent run (input: the agent's spec, the prompt, the thread, timeouts)."""

    def __init__(self) -> None:
        self._decisions: dict[str, dict[str, Any]] = {}
        self._pending: dict[str, dict[str, Any]] = {}
        self._per_call = False
        """Whether decisions are per waiting call (``DECISIONS_PER_CALL``, asked when the
        run starts)."""
        self._events: list[dict[str, Any]] = []
        self._decided: dict[str, bool] = {}
        """Whether each call id decided so far was approved (the last call under an id)."""

    @workflow.run
    async def run(self, request: dict[str, Any]) -> dict[str, Any]:
        spec = str(request["agent"])
        # The patches are asked first, before any activity: asked where they are used (at
        # the first sub-agent call, the first call that waits), a marker could land in
        # another workflow task than a replay reaches that point in (a local activity
        # resolved as the task closed), and the replay failed as nondeterministic.
        self._per_call = workflow.patched(DECISIONS_PER_CALL)
        sub_runs = workflow.patched(SUB_RUNS)
        fresh_ids = workflow.patched(CALL_IDS_PER_CONVERSATION)
        try:
            settings = Settings.from_json(request.get("settings") or {})
            deps = request.get("deps")  # (none in a run started without, or before deps)
            run_id = workflow.info().workflow_id
            scope = Scope(
                run_id, self._events.append, deps=deps, sub_runs=sub_runs, fresh_ids=fresh_ids
            )
            config = durable_config(served(spec), spec, self, settings, scope)
            run_request = RunRequest(
                prompt=wire.messages_from_json(request["prompt"]),
                thread_id=request.get("thread_id"),
                output_type=config.output_type,
                deps=copy.deepcopy(deps),  # hooks and validators: the JSON value (a copy)
                documents=_documents(request.get("documents")),
            )
            run = AgentRun(config, run_request)
            run.run_id = run.ctx.run_id = scope.run_id
            keep_ids_rule(run, scope)
            result = None
            async for event in run.events():
                self._events.append(wire.event_to_json(event))
                if isinstance(event, RunFinished):
                    result = event.result
        except LocusError as exc:
            raise application_error(exc) from None
        assert result is not None
        found = result_to_json(result)
        size = json_size(found)
        if size > MAX_PAYLOAD_BYTES:  # (recorded, it would fail the task again and again)
            what = "the run's result (its output and whole conversation)"
            raise unrecordable(what, size, _LONG)
        return found

    async def decision(
        self, call: ToolCall, pending_id: str, path: tuple[str, ...], emit: Emit
    ) -> Mapping[str, Any]:
        """Wait for a person's decision on ``call`` (a ``locus.decide_call`` naming
        ``pending_id``: the call's id, ``<calling call id>/<its id>`` in a sub-run).

        A decision is for the call that was waiting when it came, and is used up by it: a
        later call under the same id (models may reuse ids: Cohere's calls have none, and
        Locus numbers them per turn) waits for its own. Histories from before this rule
        (no ``DECISIONS_PER_CALL`` marker) replay with the old one, where a decision stayed
        with its id and could come before the call."""
        if self._per_call:
            self._decisions.pop(pending_id, None)  # (none can be here: decide() drops them)
        elif pending_id in self._decisions:
            return self._decisions[pending_id]
        shown = {**wire.call_to_json(call), "id": pending_id, "path": list(path)}
        self._pending[pending_id] = shown
        emit({"kind": "approval_requested", "id": pending_id, "call": wire.call_to_json(call)})
        try:
            await workflow.wait_condition(lambda: pending_id in self._decisions)
        finally:  # (a run cancelled, or failed, while the call waits lists it no more)
            del self._pending[pending_id]
        found = self._decisions.pop(pending_id) if self._per_call else self._decisions[pending_id]
        self._decided[pending_id] = bool(found.get("approved"))
        return found

    @workflow.signal(name="locus.decide")
    def decide(self, decision: dict[str, Any]) -> None:
        """``{"call_id", "approved", "arguments"?, "reason"?}``; the first decision for a
        waiting call wins; one for a call that is not waiting is dropped, and the run's
        events say so (``decision_ignored``)."""
        call_id = str(decision["call_id"])
        if self._per_call and call_id not in self._pending:
            self._events.append(
                {"kind": "decision_ignored", "call_id": call_id, "reason": "no such call waits"}
            )
            return
        self._decisions.setdefault(call_id, dict(decision))

    @workflow.update(name="locus.decide_call")
    def decide_call(self, decision: dict[str, Any]) -> None:
        """``decide``, answered: ``DurableRun.approve``/``deny`` learn whether the call
        took the decision. One for a call that does not wait is refused, typed (by the
        validator, which leaves no trace in the history; the handler checks again for two
        decisions that were validated together)."""
        refusal = self._refusal(str(decision["call_id"]))
        if refusal is not None:
            raise refusal
        self._decisions.setdefault(str(decision["call_id"]), dict(decision))

    @decide_call.validator
    def _valid_decision(self, decision: dict[str, Any]) -> None:
        refusal = self._refusal(str(decision["call_id"]))
        if refusal is not None:
            raise refusal

    def _refusal(self, call_id: str) -> Exception | None:
        """Why a decision for ``call_id`` cannot be taken now (``None``: it can)."""
        if call_id in self._pending and call_id not in self._decisions:
            return None
        run = workflow.info().workflow_id
        taken = self._decisions.get(call_id)
        approved = self._decided.get(call_id) if taken is None else taken.get("approved")
        if approved is not None:
            return application_error(
                AlreadyResumedError(
                    f"call {call_id!r} of durable run {run!r} was already "
                    f"{'approved' if approved else 'denied'}: the first decision stands, and "
                    "this one changed nothing"
                )
            )
        waiting = ", ".join(sorted(self._pending)) or "none"
        return application_error(
            ConfigurationError(
                f"no call {call_id!r} waits for a decision in durable run {run!r} (waiting: "
                f"{waiting}); DurableRun.pending() lists the calls that wait, by id"
            )
        )

    @workflow.query(name="locus.pending")
    def pending(self) -> list[dict[str, Any]]:
        return list(self._pending.values())

    @workflow.query(name="locus.events_page")
    def events_page(self, since: int) -> dict[str, Any]:
        """``{"events": [...], "more": bool}``: the events from ``since`` that fit in one
        answer (``_sizes.events_page``: a long run's events may not)."""
        return events_page(self._events, since)

    @workflow.query(name="locus.events")
    def events(self, since: int) -> list[dict[str, Any]]:
        """The events from ``since`` (for clients from before ``locus.events_page``: as many
        as one answer holds)."""
        found: list[dict[str, Any]] = events_page(self._events, since)["events"]
        return found


def _documents(found: Any) -> tuple[dict[str, Any], ...] | None:
    """The run's ``documents`` from its input (``None`` in a run started without them)."""
    return None if found is None else tuple(dict(document) for document in found)
