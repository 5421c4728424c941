"""A turn's tool calls kept whole: each call has its own id and exactly one result.

Results, a paused run's finished calls and approvals are looked up by call id, and a
provider refuses a conversation with a tool call that has no result. ``own_ids`` gives
a call whose id is empty, repeated within its answer or already in the conversation (a
model that numbers its calls per answer: Gemini's ``call_0`` in every turn, some text
tool-call formats) a fresh one, so an id names one call of the whole conversation: a
decision for a call of an earlier turn, sent again late, cannot decide a newer call,
and no history holds two results under one id. ``CallIds`` keeps the ids the
conversation holds, read once per message. ``answer_open_calls`` answers the calls a
failed run left without results (``error.result`` stays usable).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from locus.core.messages import Message, ToolCall

if TYPE_CHECKING:
    from locus.agent._context import RunContext
    from locus.tools._executor import ToolOutcome

__all__ = ["CallIds", "answer_open_calls", "own_ids"]


class CallIds:
    """The ids of the calls and results of a conversation before its last message, read
    as it grows (each message once; from the start again if it was cut short)."""

    __slots__ = ("read", "taken")

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.read = 0

    def before_last(self, messages: list[Message]) -> set[str]:
        end = len(messages) - 1
        if self.read > end:
            self.taken.clear()
            self.read = 0
        taken = self.taken
        for index in range(self.read, end):
            message = messages[index]
            if message.tool_calls:
                taken.update([call.id for call in message.tool_calls])
            elif message.tool_call_id:
                taken.add(message.tool_call_id)
        self.read = max(end, 0)
        return taken


def own_ids(
    calls: list[ToolCall], ctx: RunContext[Any], taken: set[str] | frozenset[str] = frozenset()
) -> list[ToolCall]:
    """``calls`` with a fresh id for each call whose id is empty, in ``taken`` (the ids
    the conversation already holds) or taken by an earlier call of the answer (a new
    list; ``calls`` itself when every id is its own): results, a paused run's finished
    calls and approvals are looked up by id. A fresh id is made of the run's id, the
    iteration and the call's place (``call_<run id>_<iteration>_<place>``, then ``_2``,
    ``_3``... in the unlikely case that is taken too), not drawn at random: a durable
    workflow replays the loop and must make the same ids again."""
    seen: set[str] = set()
    for call in calls:
        if not call.id or call.id in seen or call.id in taken:
            break
        seen.add(call.id)
    else:
        return calls
    seen.clear()
    own: list[ToolCall] = []
    for call in calls:
        if not call.id or call.id in seen or call.id in taken:
            fresh = base = f"call_{ctx.run_id}_{ctx.iteration}_{len(own)}"
            again = 1
            while fresh in seen or fresh in taken:
                again += 1
                fresh = f"{base}_{again}"
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
