"""Run events as AG-UI protocol events (the ``ag-ui-protocol`` 1.0 event types).

``AGUIEncoder`` is a pure state machine: each ``RunEvent`` becomes zero or more AG-UI
event dicts with the protocol's camelCase field names. A text message opens on the
first text of an iteration and closes before a tool call or at the iteration's end; a
tool call is started, given its arguments and ended at once (our tool calls arrive
whole), and its result follows when the tool finishes. Typed output streams as
``CUSTOM`` events named ``output_delta``; the final output is ``RUN_FINISHED.result``.
A run paused for approval finishes with an ``interrupt`` outcome, one interrupt per
pending call (``reason: "tool_approval"``, ``toolCallId``).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from locus.agent import (
    IterationEnded,
    IterationStarted,
    ModelTextDelta,
    OutputDelta,
    ReasoningDelta,
    RunEvent,
    RunFinished,
    ToolCallFinished,
    ToolCallStarted,
)
from locus.serve._convert import jsonable

__all__ = ["AGUIEncoder"]

Event = dict[str, Any]


def _event(kind: str, **fields: Any) -> Event:
    return {"type": kind, "timestamp": int(time.time() * 1000), **fields}


def _new_id() -> str:
    return uuid.uuid4().hex


class AGUIEncoder:
    """Turns one run's events into AG-UI events."""

    def __init__(self, thread_id: str, run_id: str, *, structured: bool = False) -> None:
        self.thread_id = thread_id
        self.run_id = run_id
        self.structured = structured
        self._text_id: str | None = None
        self._reasoning_id: str | None = None
        self._last_message_id: str | None = None

    def started(self) -> list[Event]:
        return [_event("RUN_STARTED", threadId=self.thread_id, runId=self.run_id)]

    def encode(self, event: RunEvent) -> list[Event]:
        """The AG-UI events for one run event."""
        if isinstance(event, ModelTextDelta):
            return self._text(event.text)
        if isinstance(event, ReasoningDelta):
            return self._reasoning(event.text)
        if isinstance(event, ToolCallStarted):
            return self._tool_call(event)
        if isinstance(event, ToolCallFinished):
            return self._tool_result(event)
        if isinstance(event, OutputDelta):
            return [_event("CUSTOM", name="output_delta", value=jsonable(event.output))]
        if isinstance(event, IterationStarted):
            self._last_message_id = None
            return [_event("STEP_STARTED", stepName=f"iteration {event.iteration}")]
        if isinstance(event, IterationEnded):
            closing = self._close_text() + self._close_reasoning()
            return [*closing, _event("STEP_FINISHED", stepName=f"iteration {event.iteration}")]
        if isinstance(event, RunFinished):
            return self._close_text() + self._close_reasoning() + [self.finished(event.result)]
        return []

    def finished(self, result: Any) -> Event:
        """``RUN_FINISHED`` for a result: its output, usage and (when paused) interrupts."""
        fields: dict[str, Any] = {"threadId": self.thread_id, "runId": self.run_id}
        output = result.output if self.structured else result.message
        fields["result"] = jsonable(output)
        pending = getattr(result, "pending", None)
        if pending:
            fields["outcome"] = {
                "type": "interrupt",
                "interrupts": [_interrupt(p) for p in pending],
            }
        usage = result.usage
        fields["usage"] = [
            {
                "inputTokens": usage.prompt_tokens,
                "outputTokens": usage.completion_tokens,
                "totalTokens": usage.total_tokens,
            }
        ]
        return _event("RUN_FINISHED", **fields)

    def failed(self, exc: BaseException) -> list[Event]:
        """The events that end a failed run: open messages closed, then ``RUN_ERROR``."""
        closing = self._close_text() + self._close_reasoning()
        return [*closing, _event("RUN_ERROR", message=str(exc), code=type(exc).__name__)]

    def _text(self, text: str) -> list[Event]:
        if self.structured or not text:
            return []
        out = self._close_reasoning()
        if self._text_id is None:
            self._text_id = _new_id()
            out.append(_event("TEXT_MESSAGE_START", messageId=self._text_id, role="assistant"))
        out.append(_event("TEXT_MESSAGE_CONTENT", messageId=self._text_id, delta=text))
        return out

    def _reasoning(self, text: str) -> list[Event]:
        out = self._close_text()
        if self._reasoning_id is None:
            self._reasoning_id = _new_id()
            out.append(_event("REASONING_START", messageId=self._reasoning_id))
            out.append(
                _event("REASONING_MESSAGE_START", messageId=self._reasoning_id, role="reasoning")
            )
        out.append(_event("REASONING_MESSAGE_CONTENT", messageId=self._reasoning_id, delta=text))
        return out

    def _tool_call(self, event: ToolCallStarted) -> list[Event]:
        out = self._close_text() + self._close_reasoning()
        call = event.call
        start: dict[str, Any] = {"toolCallId": call.id, "toolCallName": call.name}
        if self._last_message_id is not None:
            start["parentMessageId"] = self._last_message_id
        arguments = json.dumps(jsonable(call.arguments), ensure_ascii=False)
        out.append(_event("TOOL_CALL_START", **start))
        out.append(_event("TOOL_CALL_ARGS", toolCallId=call.id, delta=arguments))
        out.append(_event("TOOL_CALL_END", toolCallId=call.id))
        return out

    @staticmethod
    def _tool_result(event: ToolCallFinished) -> list[Event]:
        content = event.result.content or ""
        fields = {"messageId": _new_id(), "toolCallId": event.call.id, "content": content}
        result = _event("TOOL_CALL_RESULT", role="tool", **fields)
        if event.is_error:
            result["metadata"] = {"isError": True}
        return [result]

    def _close_text(self) -> list[Event]:
        if self._text_id is None:
            return []
        closed, self._text_id = self._text_id, None
        self._last_message_id = closed
        return [_event("TEXT_MESSAGE_END", messageId=closed)]

    def _close_reasoning(self) -> list[Event]:
        if self._reasoning_id is None:
            return []
        closed, self._reasoning_id = self._reasoning_id, None
        return [
            _event("REASONING_MESSAGE_END", messageId=closed),
            _event("REASONING_END", messageId=closed),
        ]


def _interrupt(pending: Any) -> dict[str, Any]:
    arguments = jsonable(pending.arguments)
    return {
        "id": pending.id,
        "reason": "tool_approval",
        "toolCallId": pending.id,
        "message": f"approve {pending.tool}({json.dumps(arguments, ensure_ascii=False)})?",
        "metadata": {"tool": pending.tool, "arguments": arguments},
    }
