"""Which run inside a workflow a stand-in serves: the top-level agent's, or a sub-run.

An agent used as a tool (``agent.as_tool``) runs its loop in the workflow, as the
top-level agent's does (``_sub_runs``). Each such run has a ``Scope``, derived from its
calling call (no fresh ids: a replay derives the same ones):

- ``run_id``: the workflow id, then ``/<calling call id>`` per level (``RunContext.run_id``
  of its tools);
- ``ids``: the prefix of its calls' approval ids: ``""`` at the top, then
  ``<calling call id>/`` per level, so a sub-run's call ``c1`` called by ``a`` is approved
  as ``a/c1``, always (ids are chosen by models and collide across sub-runs; a prefix only
  on collision could change as calls come and go);
- ``base``: the agents used as tools above it (``PendingCall.path`` is ``base`` and the
  asking agent's name; ``None`` at the top, whose own calls have the path ``()``);
- ``emit``: where its events go, as JSON: each level wraps them in a
  ``sub_agent_event`` naming the sub-agent and the calling call id;
- ``depth``: how many agents used as tools it is nested in (``as_tool(max_depth=)``);
- ``via``: how a worker finds its agent: per level, the calling agent's name and the
  tool's name (``_agents.agent_at``);
- ``deps``: the run's deps as the client gave them (a JSON value, ``None`` without):
  the same at every level, as ``as_tool`` hands the caller's deps on in ``agent.arun``.
  The worker turns it into what tools see (``_deps``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from locus.durable.temporal import _wire as wire

__all__ = ["CALL_IDS_PER_CONVERSATION", "Emit", "Scope", "keep_ids_rule"]

Emit = Callable[[dict[str, Any]], None]

CALL_IDS_PER_CONVERSATION = "locus.call_ids_per_conversation"
"""The ``workflow.patched`` id of the agent's rule that a call whose id the conversation
holds gets one of its own (9bcc078); a history without the marker keeps the rule before,
where only a call's own answer could make its id taken."""


@dataclasses.dataclass(slots=True, frozen=True)
class Scope:
    """One run in the workflow: the top-level run's (``Scope(run_id, emit)``) or a sub-run's."""

    run_id: str
    emit: Emit
    ids: str = ""
    base: tuple[str, ...] | None = None
    depth: int = 0
    via: tuple[tuple[str, str], ...] = ()
    deps: Any = None
    sub_runs: bool = True
    """Whether agents used as tools run in the workflow (``_sub_runs.SUB_RUNS``: false only
    when a replayed history was recorded before they did)."""
    fresh_ids: bool = True
    """Whether a call whose id an earlier turn holds gets one of its own
    (``CALL_IDS_PER_CONVERSATION``: false only in a history recorded before)."""

    def path(self, name: str) -> tuple[str, ...]:
        """``PendingCall.path`` of a call of the agent ``name`` running in this scope."""
        return () if self.base is None else (*self.base, name)

    def sub(self, caller: str, tool: str, call_id: str, agent: str) -> Scope:
        """The scope of the run of ``agent`` (the tool ``tool`` of the agent ``caller``,
        running in this scope) for the call ``call_id``."""
        outer = self.emit

        def emit(event: dict[str, Any]) -> None:
            outer(wire.sub_event_json(agent, call_id, event))

        return Scope(
            run_id=f"{self.run_id}/{call_id}",
            emit=emit,
            ids=f"{self.ids}{call_id}/",
            base=self.path(caller),
            depth=self.depth + 1,
            via=(*self.via, (caller, tool)),
            deps=self.deps,
            sub_runs=self.sub_runs,
            fresh_ids=self.fresh_ids,
        )


class _AnswerOnlyIds:
    """The agent's record of the ids a conversation holds (``CallIds``), holding none: the
    rule of a history recorded before ``CALL_IDS_PER_CONVERSATION``, in which a call's id was
    taken only by an earlier call of its own answer."""

    __slots__ = ()

    def before_last(self, messages: Any) -> frozenset[str]:
        return frozenset()


def keep_ids_rule(run: Any, scope: Scope) -> None:
    """Give ``run`` (an ``AgentRun`` in ``scope``) the id rule its history was recorded
    with: a history from before ``CALL_IDS_PER_CONVERSATION`` renamed no call whose id an
    earlier turn held, and decisions recorded for such a call name the id as it was."""
    if not scope.fresh_ids:
        run._ids = _AnswerOnlyIds()  # (read by the loop's ToolSteps.own_calls)
