"""Where a stand-in of a durable run speaks from: the run's ``Settings`` (activity
timeouts, local activities), the agent and run it speaks for (``Where``: the served spec,
the agent's name, the run's ``Scope``) and how its activities run, and the ``Decisions``
a call that needs approval waits on (the workflow). Kept apart from the stand-ins
(``_stand_ins``) so that sub-runs (``_sub_runs``), which the stand-ins use, can use it too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Protocol

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from locus.core.errors import RunError
from locus.core.messages import ToolCall
from locus.durable.temporal._errors import locus_error
from locus.durable.temporal._scope import Emit, Scope
from locus.durable.temporal._sizes import MAX_PAYLOAD_BYTES, json_size, too_large

__all__ = ["Decisions", "Settings", "Where"]

_SMALLER = (
    "keep the conversation smaller (a history_processor that drops old tool results, a "
    "smaller max_tool_result_chars; start_run(local_activities=True) keeps model calls' "
    "input in the worker)"
)


@dataclasses.dataclass(slots=True, frozen=True)
class Settings:
    """Activity timeouts of one durable run, in seconds, and whether its model calls,
    approval rules, thread loads and toolset listings are local activities (from the
    client's request).

    ``local`` is false when the request does not say: a run started before local
    activities existed replays with the same commands it recorded.
    """

    heartbeat: float = 30.0
    model: float = 600.0
    tool: float = 3600.0
    local: bool = False

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Settings:
        times = {k: float(v) for k, v in raw.items() if k in ("heartbeat", "model", "tool")}
        return cls(**times, local=bool(raw.get("local", False)))


class Decisions(Protocol):
    """Where a call that needs approval waits for a person's decision (the workflow)."""

    async def decision(
        self, call: ToolCall, pending_id: str, path: tuple[str, ...], emit: Emit
    ) -> Mapping[str, Any]:
        """Wait for the decision on ``call``, listed as ``pending_id`` asked by the agents
        ``path`` (``PendingCall``), its ``approval_requested`` event sent to ``emit``."""
        ...


@dataclasses.dataclass(slots=True, frozen=True)
class Where:
    """Which agent a stand-in speaks for: the served spec, the agent's name in it, and the
    run in the workflow it serves (``scope``: the top-level run's, or a sub-run's)."""

    spec: str
    name: str
    settings: Settings
    retry: Any
    scope: Scope

    def payload(self, **more: Any) -> dict[str, Any]:
        """An activity's request: the agent (a sub-run's found ``via`` its callers' tools)."""
        via = self.scope.via
        found = {"via": [list(step) for step in via]} if via else {}
        return {"agent": self.spec, "name": self.name, **found, **more}

    async def decision(self, decisions: Decisions, call: ToolCall) -> Mapping[str, Any]:
        """Wait for a person's decision on ``call`` (of this agent, in this scope)."""
        scope = self.scope
        return await decisions.decision(
            call, scope.ids + call.id, scope.path(self.name), scope.emit
        )

    async def execute(
        self, activity: str, payload: dict[str, Any], timeout: float, *, local: bool = False
    ) -> Any:
        """Run ``activity``: a local one (``local`` and the run's setting allow it: run by
        this worker within the workflow task, its result recorded as a marker when the
        task completes) or a normal one (scheduled through the server, heartbeating)."""
        if not (local and self.settings.local):  # (a local one's input stays in the worker)
            size = json_size(payload)
            if size > MAX_PAYLOAD_BYTES:
                raise RunError(too_large(f"the input of a {activity} activity", size, _SMALLER))
        try:
            if local and self.settings.local:
                return await workflow.execute_local_activity(
                    activity,
                    payload,
                    start_to_close_timeout=timedelta(seconds=timeout),
                    retry_policy=self.retry,
                )
            return await workflow.execute_activity(
                activity,
                payload,
                start_to_close_timeout=timedelta(seconds=timeout),
                heartbeat_timeout=timedelta(seconds=self.settings.heartbeat),
                retry_policy=self.retry,
            )
        except (ActivityError, ApplicationError) as exc:  # (a local one's: ApplicationError)
            found = locus_error(exc)
            if found is exc:  # no Locus error in it (a cancelled activity): as it is, with
                raise  # its cause (``from None`` would drop it: the run failed, not cancelled)
            raise found from None
