"""Run events as AG-UI protocol events (the ``ag-ui-protocol`` 1.0 event types).

``AGUIEncoder`` is a pure state machine: each ``RunEvent`` becomes zero or more AG-UI
event dicts with the protocol's camelCase field names. A text message opens on the
first text of an iteration and closes before a tool call or at the iteration's end; a
tool call is started, given its arguments and ended at once (our tool calls arrive
whole), and its result follows when the tool finishes. Typed output streams as
``CUSTOM`` events named ``output_delta``; the final output is ``RUN_FINISHED.result``.
A run paused for approval finishes with an ``interrupt`` outcome, one interrupt per
pending call (``reason: "tool_approval"``, ``toolCallId``; ``subagentRunId`` when a
sub-agent's run asks, whose ``SUBAGENT_FINISHED`` then has the ``suspended`` outcome). A
sub-agent's run (an agent used as a tool) is framed by ``SUBAGENT_STARTED`` /
``SUBAGENT_FINISHED`` and its events carry its ``subagentRunId`` (see ``_agui_scope``).
"""

from __future__ import annotations

import json
from typing import Any

from locus.agent import RunEvent, RunFinished
from locus.serve._agui_scope import Event, RunScope, event
from locus.serve._convert import jsonable, pending_json
from locus.serve._failures import client_message

__all__ = ["AGUIEncoder"]


class AGUIEncoder:
    """Turns one run's events into AG-UI events."""

    def __init__(self, thread_id: str, run_id: str, *, structured: bool = False) -> None:
        self.thread_id = thread_id
        self.run_id = run_id
        self.structured = structured
        self._scope = RunScope(structured=structured)

    def started(self) -> list[Event]:
        return [event("RUN_STARTED", threadId=self.thread_id, runId=self.run_id)]

    def encode(self, run_event: RunEvent) -> list[Event]:
        """The AG-UI events for one run event."""
        if isinstance(run_event, RunFinished):
            return [*self._scope.close_steps(), self.finished(run_event.result)]
        return self._scope.encode(run_event)

    def finished(self, result: Any) -> Event:
        """``RUN_FINISHED`` for a result: its output, usage and (when paused) interrupts."""
        fields: dict[str, Any] = {"threadId": self.thread_id, "runId": self.run_id}
        output = result.output if self.structured else result.message
        fields["result"] = jsonable(output)
        pending = getattr(result, "pending", None)
        if pending:
            fields["outcome"] = {
                "type": "interrupt",
                "interrupts": [_interrupt(p, self._scope.subagent_of(p)) for p in pending],
            }
        usage = result.usage
        fields["usage"] = [
            {
                "inputTokens": usage.prompt_tokens,
                "outputTokens": usage.completion_tokens,
                "totalTokens": usage.total_tokens,
            }
        ]
        return event("RUN_FINISHED", **fields)

    def failed(self, exc: BaseException) -> list[Event]:
        """The events that end a failed run: open messages and sub-agents closed, then
        ``RUN_ERROR`` (a fault of the server's own named by its type only: ``_failures``)."""
        message, code = client_message(exc), type(exc).__name__
        closing = self._scope.fail_open(message, code)
        return [*closing, event("RUN_ERROR", message=message, code=code)]


def _interrupt(pending: Any, subagent_run_id: str | None) -> dict[str, Any]:
    shown = pending_json(pending)
    arguments = json.dumps(shown["arguments"], ensure_ascii=False)
    asker = "".join(f"{name} › " for name in shown.get("path", ()))
    found = {
        "id": shown.pop("id"),
        "reason": "tool_approval",
        "toolCallId": pending.id,
        "message": f"approve {asker}{pending.tool}({arguments})?",
        "metadata": shown,
    }
    if subagent_run_id is not None:  # asked by a sub-agent's run (``SUBAGENT_STARTED``)
        found["subagentRunId"] = subagent_run_id
    return found
