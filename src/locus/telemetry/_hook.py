"""``TelemetryHook``: GenAI spans and metrics for every run, from the hooks.

``invoke_agent {agent}`` opens in ``on_run_start`` under whatever span is current (so a
sub-agent run started by a tool nests under that tool's span) and closes in
``on_run_end``. ``chat {model}`` opens in ``before_model_call`` (its W3C ``traceparent``
goes into the request's headers) and closes in ``after_model_call``. ``execute_tool
{tool}`` opens in ``before_tool_call`` and is made current in the tool call's own task,
so the tool, and any agent it runs, see it as their parent; ``after_tool_call`` closes
it in that same task. A span a failure left open is closed in ``on_run_end`` with the
run's error. After a handoff the receiving agent's calls nest under an ``invoke_agent
{receiving agent}`` span of its own, a child of the run's.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from locus.agent import Hook, ModelRequest, RunContext, ToolResult
from locus.core.messages import ToolCall
from locus.core.response import ModelResponse
from locus.telemetry._attributes import (
    chat_attributes,
    messages_json,
    model_attributes,
    response_attributes,
    usage_attributes,
)
from locus.telemetry._metrics import Instruments

__all__ = ["TelemetryHook"]


@dataclass(slots=True)
class _Chat:
    span: Span
    started: float
    attributes: dict[str, Any]


@dataclass(slots=True)
class _RunSpans:
    agent: Span
    parent: otel_context.Context
    model: object
    """The run's first model (the ``invoke_agent`` span's, whoever answers in the end)."""
    agent_name: str
    """The agent answering now (a handoff changes it)."""
    chat: _Chat | None = None
    tools: dict[str, tuple[Span, object]] = field(default_factory=dict)
    segment: Span | None = None
    """After a handoff: the receiving agent's ``invoke_agent`` span, under the run's."""


class TelemetryHook(Hook):
    """Spans and metrics per the GenAI conventions (see the module docstring)."""

    def __init__(self, tracer: trace.Tracer, instruments: Instruments, capture: bool) -> None:
        self._tracer = tracer
        self._instruments = instruments
        self._capture = capture
        self._runs: dict[str, _RunSpans] = {}

    def on_run_start(self, ctx: RunContext[Any]) -> None:
        model = _model_of(ctx)
        attributes = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": ctx.agent_name,
            **model_attributes(model),
        }
        if ctx.thread_id is not None:
            attributes["gen_ai.conversation.id"] = ctx.thread_id
        span = self._tracer.start_span(
            f"invoke_agent {ctx.agent_name}", kind=SpanKind.INTERNAL, attributes=attributes
        )
        if self._capture:
            span.set_attribute("gen_ai.input.messages", messages_json(ctx.messages))
        context = trace.set_span_in_context(span)
        self._runs[ctx.run_id] = _RunSpans(span, context, model, ctx.agent_name)

    def before_model_call(self, ctx: RunContext[Any], request: ModelRequest) -> ModelRequest | None:
        state = self._runs.get(ctx.run_id)
        if state is None:
            return None
        _end_chat(state, None)
        if ctx.agent_name != state.agent_name:
            self._handed_off(state, ctx)
        attributes = {"gen_ai.operation.name": "chat", **model_attributes(_model_of(ctx))}
        attributes.update(chat_attributes(request.params))
        name = f"chat {attributes.get('gen_ai.request.model', '')}".rstrip()
        span = self._tracer.start_span(
            name, context=state.parent, kind=SpanKind.CLIENT, attributes=attributes
        )
        if self._capture:
            span.set_attribute("gen_ai.input.messages", messages_json(request.messages))
        state.chat = _Chat(span, time.perf_counter(), attributes)
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(span))
        if carrier:
            request.headers = {**request.headers, **carrier}
            return request
        return None

    def _handed_off(self, state: _RunSpans, ctx: RunContext[Any]) -> None:
        """A handoff: the receiving agent's calls nest under an ``invoke_agent`` span of its
        own, a child of the run's (which keeps the name of the agent that was invoked)."""
        if state.segment is not None:
            state.segment.end()
        state.agent_name = ctx.agent_name
        attributes = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": ctx.agent_name,
            **model_attributes(_model_of(ctx)),
        }
        state.segment = self._tracer.start_span(
            f"invoke_agent {ctx.agent_name}",
            context=trace.set_span_in_context(state.agent),
            kind=SpanKind.INTERNAL,
            attributes=attributes,
        )
        state.parent = trace.set_span_in_context(state.segment)

    def after_model_call(self, ctx: RunContext[Any], response: ModelResponse) -> None:
        state = self._runs.get(ctx.run_id)
        if state is None or state.chat is None:
            return
        chat, state.chat = state.chat, None
        late = model_attributes(_model_of(ctx))  # the region is known after the first call
        chat.attributes.update(late)
        chat.span.set_attributes({**late, **response_attributes(response)})
        if self._capture:
            chat.span.set_attribute("gen_ai.output.messages", messages_json([response.message]))
        chat.span.end()
        self._instruments.record_chat(chat.attributes, time.perf_counter() - chat.started, response)

    def before_tool_call(self, ctx: RunContext[Any], call: ToolCall) -> None:
        state = self._runs.get(ctx.run_id)
        if state is None:
            return
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": call.name,
            "gen_ai.tool.call.id": call.id,
            "gen_ai.tool.type": "function",
        }
        if self._capture:
            attributes["gen_ai.tool.call.arguments"] = _json(call.arguments)
        span = self._tracer.start_span(
            f"execute_tool {call.name}",
            context=state.parent,
            kind=SpanKind.INTERNAL,
            attributes=attributes,
        )
        # current in this call's own task only: the tool and any sub-agent see it
        token = otel_context.attach(trace.set_span_in_context(span))
        state.tools[ctx.tool_call_id or call.id] = (span, token)

    def after_tool_call(self, ctx: RunContext[Any], call: ToolCall, result: ToolResult) -> None:
        state = self._runs.get(ctx.run_id)
        found = state.tools.pop(ctx.tool_call_id or call.id, None) if state else None
        if found is None:
            return
        span, token = found
        if self._capture:
            span.set_attribute("gen_ai.tool.call.result", result.content)
        if result.is_error:
            span.set_attribute("error.type", "tool_error")
            span.set_status(Status(StatusCode.ERROR))
        span.end()
        otel_context.detach(token)  # type: ignore[arg-type]

    def on_run_end(self, ctx: RunContext[Any], result: Any) -> None:
        state = self._runs.pop(ctx.run_id, None)
        if state is None:
            return
        error = getattr(result, "error", None)
        _end_chat(state, error, self._instruments)
        for span, _token in state.tools.values():  # their tasks (and contexts) are gone
            _fail(span, error)
            span.end()
        state.tools.clear()
        usage = getattr(result, "usage", None)
        if isinstance(usage, Mapping):
            state.agent.set_attributes(usage_attributes(usage))
        state.agent.set_attributes(model_attributes(state.model))
        if self._capture and error is None and getattr(result, "message", None):
            state.agent.set_attribute("gen_ai.output.messages", _final_json(result))
        if state.segment is not None:
            _end_segment(state.segment, _model_of(ctx), error)
        if error is not None:
            _fail(state.agent, error)
        state.agent.end()


def _end_segment(segment: Span, model: object, error: BaseException | None) -> None:
    segment.set_attributes(model_attributes(model))  # the region is known by now
    if error is not None:
        _fail(segment, error)
    segment.end()


def _model_of(ctx: RunContext[Any]) -> object:
    """The model of the run (its agent's, after any handoff)."""
    return getattr(getattr(ctx.run, "config", None), "model", None)


def _end_chat(
    state: _RunSpans, error: BaseException | None, instruments: Instruments | None = None
) -> None:
    """Close a chat span that never saw its answer (the call failed, or a hook stopped it)."""
    chat, state.chat = state.chat, None
    if chat is None:
        return
    _fail(chat.span, error)
    chat.span.end()
    if instruments is not None:
        instruments.record_failure(chat.attributes, time.perf_counter() - chat.started, error)


def _fail(span: Span, error: BaseException | None) -> None:
    kind = type(error).__name__ if error is not None else "_OTHER"
    span.set_attribute("error.type", kind)
    span.set_status(Status(StatusCode.ERROR, kind))


def _final_json(result: Any) -> str:
    message = result.response.message if getattr(result, "response", None) else None
    return messages_json([message]) if message is not None else "[]"


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, default=str)
