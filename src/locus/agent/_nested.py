"""Paused sub-agent runs carried in their caller's ``RunState``.

An agent used as a tool whose run pauses for approval pauses its caller: the caller's
state keeps the sub-run's state under the id of the call that ran it
(``state.nested``), and lists the sub-run's pending calls among its own, with the real
tool and arguments and the agents down to the one that asks (``PendingCall.path``).
The calls of that turn that did not pause keep their results and never run again.

Ids. A pending call of a sub-run keeps its own id unless it collides with another
pending id or with a call id of the caller's turn (ids come from models, and two
sub-runs of one turn often number their calls alike); then it is shown as
``<calling call id>/<its id>``. The rule depends on the state alone, so a resume
routes each decision back the same way (``route``), at any depth.

On resume the caller runs each nested call again: the sub-agent's tool resumes the
paused sub-run with its decisions (``locus.agent._subagents``), and its output becomes
the call's result, as a completed sub-run's would; a sub-run that pauses again pauses
its caller again, with a new state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from locus.agent._state import PendingCall, pending_call
from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall

if TYPE_CHECKING:
    from locus.agent._config import RunConfig
    from locus.agent._state import Approval, RunState

__all__ = ["check_nested", "pending_of", "route"]


class _Entry(NamedTuple):
    shown: PendingCall
    call_id: str | None  # the caller's call whose sub-run asks (None: the caller's own)
    inner: str  # the id in that sub-run's state


def pending_of(
    calls: Sequence[ToolCall], held: Sequence[ToolCall], nested: Mapping[str, RunState]
) -> list[PendingCall]:
    """A pausing turn's pending calls, in call order: the ``held`` calls of its own and
    those of the sub-runs in ``nested`` (by calling call id)."""
    return [entry.shown for entry in _entries(calls, {c.id for c in held}, nested)]


def route(
    calls: Sequence[ToolCall], state: RunState, approvals: Mapping[str, Approval]
) -> dict[str, dict[str, Approval]]:
    """The decisions for each nested sub-run, by calling call id (as each sub-run's own
    pending ids); the caller's own calls keep theirs under their ids."""
    held = {c.id for c in calls if c.id not in state.results and c.id not in state.nested}
    entries = _entries(calls, held, state.nested)
    if [e.shown.id for e in entries] != [p.id for p in state.pending]:
        raise ConfigurationError(
            "this RunState's pending calls do not match its paused sub-agent runs "
            "(it was changed after the pause); resume the state as the run paused it"
        )
    routed: dict[str, dict[str, Approval]] = {call_id: {} for call_id in state.nested}
    for entry in entries:
        if entry.call_id is not None:
            routed[entry.call_id][entry.inner] = approvals[entry.shown.id]
    return routed


def _entries(
    calls: Sequence[ToolCall], held: set[str], nested: Mapping[str, RunState]
) -> list[_Entry]:
    inner = Counter(p.id for sub in nested.values() for p in sub.pending)
    taken = {call.id for call in calls}
    entries = []
    for call in calls:
        if call.id in held:
            entries.append(_Entry(pending_call(call), None, call.id))
        sub = nested.get(call.id)
        if sub is None:
            continue
        for p in sub.pending:
            clash = inner[p.id] > 1 or p.id in taken
            shown_id = f"{call.id}/{p.id}" if clash else p.id
            shown = PendingCall(shown_id, p.tool, p.arguments, (sub.agent_name, *p.path))
            entries.append(_Entry(shown, call.id, p.id))
    return entries


def check_nested(
    tools: Mapping[str, Any], calls: Sequence[ToolCall], state: RunState, *, listed: bool = True
) -> None:
    """Before a resume claims ``state``: each paused sub-run belongs to a call of the
    turn whose tool (in ``tools``) runs an agent that can resume it, at every depth.
    (``listed=False``: ``tools`` lack a toolset's, which a sub-run checks itself.)"""
    from locus.agent._forwarding import sub_agent
    from locus.agent._paused_agent import paused_config

    by_id = {call.id: call for call in calls}
    for call_id, sub in state.nested.items():
        call = by_id.get(call_id)
        if call is not None and call.name not in tools and not listed:
            continue
        agent = sub_agent(tools.get(call.name)) if call is not None else None
        if call is None or agent is None:
            name = call.name if call is not None else "?"
            raise ConfigurationError(
                f"this RunState holds a paused run of the agent {sub.agent_name!r} in the "
                f"call {call_id!r} (tool {name!r}), but this agent has no agent used as a "
                f"tool named {name!r}; resume it with the agent whose run paused"
            )
        config: RunConfig = paused_config(agent._run_config(), sub)
        if sub.nested and sub.messages:
            toolbox = config.toolbox
            own = {item.name: item for item in toolbox.tools}
            check_nested(own, sub.messages[-1].tool_calls, sub, listed=not toolbox.toolsets)
