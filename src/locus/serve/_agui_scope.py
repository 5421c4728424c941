"""One agent run's share of an AG-UI stream: its messages, tool calls, steps and sub-agents.

The top-level run is a scope without attribution. A sub-agent's run (a ``SubAgentEvent``
from an agent used as a tool) gets a child scope with a fresh ``subagentRunId``: it is
announced by ``SUBAGENT_STARTED`` (its name, the calling tool call as
``parentToolCallId``, the enclosing sub-agent's run as ``parentSubagentRunId``), every
event it produces carries that ``subagentRunId``, and it ends with ``SUBAGENT_FINISHED``
(its output as ``result``; when the sub-run paused for approval, no result and the
``suspended`` outcome instead, its pending calls becoming interrupts of the run that name
this ``subagentRunId``) or, when the calling tool call fails, ``SUBAGENT_ERROR``. A
sub-run's tool call ids are prefixed with its ``subagentRunId`` (``<run id>:<call id>``),
so two sub-runs whose models pick the same ids never share one in the stream.
"""

from __future__ import annotations

import json
import time
from typing import Any

from locus.agent import (
    IterationEnded,
    IterationStarted,
    ModelTextDelta,
    OutputDelta,
    ReasoningDelta,
    RunEvent,
    RunFinished,
    SubAgentEvent,
    ToolCallFinished,
    ToolCallStarted,
)
from locus.agent._ids import new_id
from locus.serve._convert import jsonable

__all__ = ["Event", "RunScope", "event", "new_id"]

Event = dict[str, Any]


def event(kind: str, **fields: Any) -> Event:
    """An AG-UI event dict of type ``kind``, stamped in milliseconds."""
    return {"type": kind, "timestamp": int(time.time() * 1000), **fields}


class RunScope:
    """Encodes the events of one run (the top-level one, or a sub-agent's)."""

    def __init__(self, *, structured: bool = False, subagent_run_id: str | None = None) -> None:
        self.structured = structured
        self.subagent_run_id = subagent_run_id
        self.finished = False
        self._text_id: str | None = None
        self._reasoning_id: str | None = None
        self._last_message_id: str | None = None
        self._steps: list[str] = []
        """The steps (iterations) started and not finished yet, oldest first."""
        self._children: dict[str, RunScope] = {}
        self._suspended: list[tuple[str, str, RunScope, list[Any]]] = []
        """Sub-runs that paused: (calling call id, agent name, scope, their pending calls)."""

    def encode(self, run_event: RunEvent) -> list[Event]:
        """The AG-UI events for one run event (``RunFinished`` is the owner's to map)."""
        handler = _HANDLERS.get(run_event.kind)
        if handler is None:
            return []
        return [*self._step_for(run_event), *handler(self, run_event)]

    def _step_for(self, run_event: RunEvent) -> list[Event]:
        """``STEP_STARTED`` for the iteration of ``run_event`` when no step of it is open: a
        resumed run's events begin inside the iteration that paused (its first events are
        that iteration's tool calls, then its end), whose ``STEP_STARTED`` went out in
        the stream of the run that paused; every ``STEP_FINISHED`` follows its start."""
        iteration = getattr(run_event, "iteration", None)
        if not isinstance(iteration, int) or isinstance(run_event, IterationStarted):
            return []
        name = f"iteration {iteration}"
        if name in self._steps:
            return []
        self._steps.append(name)
        return [self._emit("STEP_STARTED", stepName=name)]

    def close(self) -> list[Event]:
        """Close the open text or reasoning message."""
        return self._close_text() + self._close_reasoning()

    def close_steps(self) -> list[Event]:
        """Close the open message and finish every step still open (a run that paused
        ends inside its iteration), newest first: before the run's, or a sub-run's, end."""
        out = self.close()
        while self._steps:
            out.append(self._emit("STEP_FINISHED", stepName=self._steps.pop()))
        return out

    def fail_open(self, message: str, code: str) -> list[Event]:
        """End every sub-agent still running (innermost first) with ``SUBAGENT_ERROR``."""
        out = self.close()
        for child in self._children.values():
            out += child.fail_open(message, code)
            if not child.finished:
                out.append(child.error(message, code))
        self._children.clear()
        return out

    def error(self, message: str, code: str) -> Event:
        self.finished = True
        return event(
            "SUBAGENT_ERROR", subagentRunId=self.subagent_run_id, message=message, code=code
        )

    def _emit(self, kind: str, **fields: Any) -> Event:
        if self.subagent_run_id is not None:
            fields["subagentRunId"] = self.subagent_run_id
        return event(kind, **fields)

    def _call_id(self, call_id: str) -> str:
        return call_id if self.subagent_run_id is None else f"{self.subagent_run_id}:{call_id}"

    def _iteration_started(self, run_event: IterationStarted) -> list[Event]:
        self._last_message_id = None
        name = f"iteration {run_event.iteration}"
        self._steps.append(name)
        return [self._emit("STEP_STARTED", stepName=name)]

    def _iteration_ended(self, run_event: IterationEnded) -> list[Event]:
        name = f"iteration {run_event.iteration}"
        if name in self._steps:  # (``_step_for`` opened it, if the stream had not)
            self._steps.remove(name)
        return [*self.close(), self._emit("STEP_FINISHED", stepName=name)]

    def _output(self, run_event: OutputDelta) -> list[Event]:
        return [self._emit("CUSTOM", name="output_delta", value=jsonable(run_event.output))]

    def _text(self, run_event: ModelTextDelta) -> list[Event]:
        if self.structured or not run_event.text:
            return []
        out = self._close_reasoning()
        if self._text_id is None:
            self._text_id = new_id()
            out.append(self._emit("TEXT_MESSAGE_START", messageId=self._text_id, role="assistant"))
        out.append(
            self._emit("TEXT_MESSAGE_CONTENT", messageId=self._text_id, delta=run_event.text)
        )
        return out

    def _reasoning(self, run_event: ReasoningDelta) -> list[Event]:
        out = self._close_text()
        if self._reasoning_id is None:
            self._reasoning_id = new_id()
            out.append(self._emit("REASONING_START", messageId=self._reasoning_id))
            out.append(
                self._emit(
                    "REASONING_MESSAGE_START", messageId=self._reasoning_id, role="reasoning"
                )
            )
        content = self._emit(
            "REASONING_MESSAGE_CONTENT", messageId=self._reasoning_id, delta=run_event.text
        )
        return [*out, content]

    def _tool_call(self, run_event: ToolCallStarted) -> list[Event]:
        out = self.close()
        call, call_id = run_event.call, self._call_id(run_event.call.id)
        start: dict[str, Any] = {"toolCallId": call_id, "toolCallName": call.name}
        if self._last_message_id is not None:
            start["parentMessageId"] = self._last_message_id
        arguments = json.dumps(jsonable(call.arguments), ensure_ascii=False)
        out.append(self._emit("TOOL_CALL_START", **start))
        out.append(self._emit("TOOL_CALL_ARGS", toolCallId=call_id, delta=arguments))
        out.append(self._emit("TOOL_CALL_END", toolCallId=call_id))
        return out

    def _tool_result(self, run_event: ToolCallFinished) -> list[Event]:
        out = self._end_child(run_event)
        content = run_event.result.content or ""
        call_id = self._call_id(run_event.call.id)
        fields = {"messageId": new_id(), "toolCallId": call_id, "content": content}
        result = self._emit("TOOL_CALL_RESULT", role="tool", **fields)
        if run_event.is_error:
            result["metadata"] = {"isError": True}
        return [*out, result]

    def _end_child(self, run_event: ToolCallFinished) -> list[Event]:
        child = self._children.pop(run_event.call.id, None)
        if child is None or child.finished:
            return []
        error = run_event.error
        message = str(error) if error is not None else "the sub-agent ended without finishing"
        code = type(error).__name__ if error is not None else "Incomplete"
        return [*child.fail_open(message, code), child.error(message, code)]

    def _sub_agent(self, run_event: SubAgentEvent) -> list[Event]:
        out: list[Event] = []
        child = self._children.get(run_event.call_id)
        if child is None:
            child = RunScope(subagent_run_id=new_id())
            self._children[run_event.call_id] = child
            out.append(self._sub_started(run_event, child))
        inner = run_event.event
        if not isinstance(inner, RunFinished):
            return out + child.encode(inner)
        child.finished = True
        result = inner.result
        if result.pending:  # paused: its calls are the run's interrupts (``subagent_of``)
            self._suspended.append((run_event.call_id, run_event.agent_name, child, result.pending))
            fields: dict[str, Any] = {"outcome": {"type": "suspended"}}
        else:
            fields = {"result": jsonable(result.output)}
        finished = event("SUBAGENT_FINISHED", subagentRunId=child.subagent_run_id, **fields)
        return [*out, *child.close_steps(), finished]

    def subagent_of(self, pending: Any) -> str | None:
        """The ``subagentRunId`` of the sub-run that asks for ``pending`` (a call of this
        run's result, whose ``path`` names the asking agents), or ``None`` for this run's
        own. A nested call's id is the sub-run's own id, or ``<calling call id>/<its id>``
        where that would collide (``locus.agent``'s rule), so the calling call is found
        by the prefix first, then by the id among the sub-runs of the named agent."""
        path = tuple(getattr(pending, "path", ()))
        if not path:
            return self.subagent_run_id
        named = [entry for entry in self._suspended if entry[1] == path[0]]
        for prefixed in (True, False):
            for call_id, _, child, inner in named:
                own = pending.id
                if prefixed:
                    if not own.startswith(f"{call_id}/"):
                        continue
                    own = own[len(call_id) + 1 :]
                for candidate in inner:
                    if candidate.id == own and tuple(getattr(candidate, "path", ())) == path[1:]:
                        return child.subagent_of(candidate)
        return None

    def _sub_started(self, run_event: SubAgentEvent, child: RunScope) -> Event:
        fields: dict[str, Any] = {
            "subagentRunId": child.subagent_run_id,
            "name": run_event.agent_name,
            "parentToolCallId": self._call_id(run_event.call_id),
        }
        if self.subagent_run_id is not None:
            fields["parentSubagentRunId"] = self.subagent_run_id
        if self._last_message_id is not None:
            fields["parentMessageId"] = self._last_message_id
        return event("SUBAGENT_STARTED", **fields)

    def _close_text(self) -> list[Event]:
        if self._text_id is None:
            return []
        closed, self._text_id = self._text_id, None
        self._last_message_id = closed
        return [self._emit("TEXT_MESSAGE_END", messageId=closed)]

    def _close_reasoning(self) -> list[Event]:
        if self._reasoning_id is None:
            return []
        closed, self._reasoning_id = self._reasoning_id, None
        return [
            self._emit("REASONING_MESSAGE_END", messageId=closed),
            self._emit("REASONING_END", messageId=closed),
        ]


_HANDLERS: dict[str, Any] = {
    "model_text_delta": RunScope._text,
    "reasoning_delta": RunScope._reasoning,
    "tool_call_started": RunScope._tool_call,
    "tool_call_finished": RunScope._tool_result,
    "output_delta": RunScope._output,
    "iteration_started": RunScope._iteration_started,
    "iteration_ended": RunScope._iteration_ended,
    "sub_agent_event": RunScope._sub_agent,
}
