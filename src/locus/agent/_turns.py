"""A turn's tool calls kept whole: each call has its own id and exactly one result.

Results, a paused run's finished calls and approvals are looked up by call id, and a
provider refuses a conversation with a tool call that has no result. ``own_ids`` gives
a call whose id is empty or repeated within its answer a fresh one; ``answer_open_calls``
answers the calls a failed run left without results (``error.result`` stays usable).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from locus.core.messages import Message, ToolCall

if TYPE_CHECKING:
    from locus.agent._context import RunContext
    from locus.tools._executor import ToolOutcome

__all__ = ["answer_open_calls", "own_ids"]


def own_ids(calls: list[ToolCall], ctx: RunContext[Any]) -> list[ToolCall]:
    """``calls`` with a fresh id for each call whose id is empty or taken by an earlier
    call of the answer (a new list; ``calls`` itself when every id is its own): results,
    a paused run's finished calls and approvals are looked up by id. A fresh id is made
    of the run's id, the iteration and the call's place, not drawn at random: a durable
    workflow replays the loop and must make the same ids again."""
    seen: set[str] = set()
    for call in calls:
        if not call.id or call.id in seen:
            break
        seen.add(call.id)
    else:
        return calls
    seen.clear()
    own: list[ToolCall] = []
    for call in calls:
        if not call.id or call.id in seen:
            fresh = f"call_{ctx.run_id}_{ctx.iteration}_{len(own)}"
            call = ToolCall(fresh, call.name, call.arguments, call.raw_arguments)
        seen.add(call.id)
        own.append(call)
    return own


_UNFINISHED = {"timeout": "timed out", "cancelled": "was cancelled"}


def answer_open_calls(
    messages: list[Message], outcomes: Sequence[ToolOutcome | None], reason: str
) -> None:
    """After a run failed mid-turn: answer each call of the last answer, in call order,
    with its result if it came back, else with an error saying none did (a partial
    result's messages are then whole: providers refuse a call without its result)."""
    calls = messages[-1].tool_calls if messages and messages[-1].role == "assistant" else ()
    if not calls:
        return
    if len(outcomes) != len(calls):  # (the failure came before the calls ran)
        outcomes = [None] * len(calls)
    why = _UNFINISHED.get(reason, "failed")
    for call, outcome in zip(calls, outcomes, strict=True):
        if outcome is not None and outcome.message.tool_call_id == call.id:
            messages.append(outcome.message)
        else:
            text = f"Error: no result: the agent run {why} before the call returned"
            messages.append(Message.tool(text, call.id, call.name, is_error=True))
