"""Span shape, nesting, content capture, errors and metrics of traced runs, read from the
OpenTelemetry SDK's in-memory exporter (test models, no sockets)."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from locus import telemetry
from locus.agent import Agent, Hook, ModelRequest, RunContext
from locus.core.errors import GuardrailTripped, ModelError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, ScriptedModel, Turn
from locus.tools.decorator import tool

from .conftest import Otel, start


@tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@tool
async def clock(city: str) -> str:
    """The time in a city."""
    return f"noon in {city}"


def _two_tools_then_answer(messages: list[Message], tools: list[ToolSpec]) -> Turn:
    if messages[-1].role == "tool":
        return "Sunny, and it is noon."
    return [
        ToolCall("call_w", "weather", {"city": "Oslo"}),
        ToolCall("call_c", "clock", {"city": "Oslo"}),
    ]


def _parent(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def _id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.span_id)


async def test_a_run_with_two_tool_calls(otel: Otel) -> None:
    model = FunctionModel(_two_tools_then_answer, model_id="test-model")
    agent = Agent(model=model, name="helper", tools=[weather, clock])
    result = await agent.arun("Weather and time in Oslo?")
    assert result.message == "Sunny, and it is noon."
    spans = otel.spans()
    assert sorted(s.name for s in spans) == [
        "chat test-model",
        "chat test-model",
        "execute_tool clock",
        "execute_tool weather",
        "invoke_agent helper",
    ]
    root = otel.span("invoke_agent helper")
    assert root.parent is None and root.kind is SpanKind.INTERNAL
    assert root.context is not None
    assert {s.context.trace_id for s in spans if s.context} == {root.context.trace_id}
    assert all(_parent(s) == _id(root) for s in spans if s is not root)
    assert dict(root.attributes or {}) == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "helper",
        "gen_ai.provider.name": "locus.testing._function",
        "gen_ai.request.model": "test-model",
        "gen_ai.usage.input_tokens": result.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": result.usage.completion_tokens,
    }
    first, second = sorted(
        (s for s in spans if s.name.startswith("chat")), key=lambda s: s.start_time or 0
    )
    assert first.kind is SpanKind.CLIENT
    attributes = dict(first.attributes or {})
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.request.model"] == "test-model"
    assert attributes["gen_ai.response.model"] == "test-model"
    assert attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert dict(second.attributes or {})["gen_ai.response.finish_reasons"] == ("stop",)
    assert isinstance(attributes["gen_ai.usage.input_tokens"], int)
    tool_span = otel.span("execute_tool weather")
    assert dict(tool_span.attributes or {}) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "weather",
        "gen_ai.tool.call.id": "call_w",
        "gen_ai.tool.type": "function",
    }
    assert tool_span.status.status_code is StatusCode.UNSET
    # the tools ran between the two chat calls
    assert first.end_time is not None and second.start_time is not None
    assert first.end_time <= (tool_span.start_time or 0) <= second.start_time


async def test_a_sub_agent_nests_under_the_tool_span_that_runs_it(otel: Otel) -> None:
    inner = Agent(
        model=ScriptedModel(["Paris."], model_id="inner-model"),
        name="geographer",
        description="Answers geography questions.",
    )

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if messages[-1].role == "tool":
            return f"The answer: {messages[-1].content}"
        return ToolCall("call_sub", "geographer", {"input": "Capital of France?"})

    outer = Agent(
        model=FunctionModel(brain, model_id="outer-model"), name="boss", tools=[inner.as_tool()]
    )
    await outer.arun("Ask the geographer.")
    boss = otel.span("invoke_agent boss")
    tool_span = otel.span("execute_tool geographer")
    sub = otel.span("invoke_agent geographer")
    sub_chat = otel.span("chat inner-model")
    assert _parent(tool_span) == _id(boss)
    assert _parent(sub) == _id(tool_span)
    assert _parent(sub_chat) == _id(sub)
    assert boss.parent is None


async def test_parallel_runs_do_not_share_spans(otel: Otel) -> None:
    agents = [
        Agent(
            model=FunctionModel(_two_tools_then_answer, model_id=f"m{i}"),
            name=f"a{i}",
            tools=[weather, clock],
        )
        for i in range(3)
    ]
    await asyncio.gather(*(a.arun("go") for a in agents))
    for i in range(3):
        root = otel.span(f"invoke_agent a{i}")
        children = [s for s in otel.spans() if _parent(s) == _id(root)]
        assert sorted(s.name for s in children) == [
            f"chat m{i}",
            f"chat m{i}",
            "execute_tool clock",
            "execute_tool weather",
        ]


async def test_contents_are_not_recorded_unless_asked(otel: Otel) -> None:
    model = FunctionModel(_two_tools_then_answer, model_id="m")
    await Agent(model=model, tools=[weather, clock]).arun("secret question")
    for span in otel.spans():
        keys = set(span.attributes or {})
        assert not keys & {
            "gen_ai.input.messages",
            "gen_ai.output.messages",
            "gen_ai.tool.call.arguments",
            "gen_ai.tool.call.result",
        }
        assert "secret" not in json.dumps(dict(span.attributes or {}), default=str)


async def test_contents_are_recorded_when_opted_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(telemetry.CAPTURE_CONTENT_ENV, "TRUE")
    otel, tracer_provider, meter_provider = start()
    try:
        model = FunctionModel(_two_tools_then_answer, model_id="m")
        await Agent(model=model, name="a", tools=[weather, clock]).arun("Weather in Oslo?")
    finally:
        telemetry.uninstrument()
    first_chat = min(
        (s for s in otel.spans() if s.name == "chat m"), key=lambda s: s.start_time or 0
    )
    sent = json.loads(str(dict(first_chat.attributes or {})["gen_ai.input.messages"]))
    assert sent[-1] == {"role": "user", "parts": [{"type": "text", "content": "Weather in Oslo?"}]}
    answered = json.loads(str(dict(first_chat.attributes or {})["gen_ai.output.messages"]))
    assert answered[0]["parts"][0] == {
        "type": "tool_call",
        "id": "call_w",
        "name": "weather",
        "arguments": {"city": "Oslo"},
    }
    tool_span = dict(otel.span("execute_tool weather").attributes or {})
    assert json.loads(str(tool_span["gen_ai.tool.call.arguments"])) == {"city": "Oslo"}
    assert tool_span["gen_ai.tool.call.result"] == "sunny in Oslo"
    final = dict(otel.span("invoke_agent a").attributes or {})
    assert "noon" in str(final["gen_ai.output.messages"])
    tracer_provider.shutdown()
    meter_provider.shutdown()


async def test_a_failed_model_call_is_recorded_as_an_error(otel: Otel) -> None:
    model = ScriptedModel([ModelError("the service is down")], model_id="m")
    with pytest.raises(ModelError):
        await Agent(model=model, name="a").arun("hi")
    chat = otel.span("chat m")
    root = otel.span("invoke_agent a")
    for span in (chat, root):
        assert dict(span.attributes or {})["error.type"] == "ModelError"
        assert span.status.status_code is StatusCode.ERROR
    points = otel.points("gen_ai.client.operation.duration")
    assert [dict(p.attributes)["error.type"] for p in points] == ["ModelError"]


async def test_a_failed_tool_marks_its_span(otel: Otel) -> None:
    @tool
    def broken(city: str) -> str:
        """Always fails."""
        raise ValueError("no")

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        return "gave up" if messages[-1].role == "tool" else ToolCall("c1", "broken", {"city": "x"})

    await Agent(model=FunctionModel(brain, model_id="m"), tools=[broken]).arun("go")
    span = otel.span("execute_tool broken")
    assert dict(span.attributes or {})["error.type"] == "tool_error"
    assert span.status.status_code is StatusCode.ERROR


async def test_a_hook_that_stops_the_run_closes_every_span(otel: Otel) -> None:
    class Stop(Hook):
        def before_model_call(self, ctx: RunContext, request: ModelRequest) -> None:
            raise GuardrailTripped("test", "stopped")

    with pytest.raises(GuardrailTripped):
        await Agent(model=ScriptedModel(["x"], model_id="m"), name="a", hooks=[Stop()]).arun("hi")
    assert {s.name for s in otel.spans()} == {"invoke_agent a", "chat m"}
    assert dict(otel.span("invoke_agent a").attributes or {})["error.type"] == "GuardrailTripped"


async def test_traceparent_is_put_in_the_request_headers(otel: Otel) -> None:
    seen: list[dict[str, str]] = []

    class Look(Hook):
        def before_model_call(self, ctx: RunContext, request: ModelRequest) -> None:
            seen.append(dict(request.headers))

    await Agent(model=ScriptedModel(["x"], model_id="m"), hooks=[Look()]).arun("hi")
    chat = otel.span("chat m")
    assert chat.context is not None
    flags = int(chat.context.trace_flags)
    assert flags & 1  # sampled
    expected = f"00-{chat.context.trace_id:032x}-{chat.context.span_id:016x}-{flags:02x}"
    assert seen == [{"traceparent": expected}]


async def test_a_run_inside_an_application_span_is_its_child(otel: Otel) -> None:
    tracer = trace.get_tracer("app", tracer_provider=otel_provider(otel))
    with tracer.start_as_current_span("handle request") as outer:
        await Agent(model=ScriptedModel(["x"], model_id="m"), name="a").arun("hi")
    root = otel.span("invoke_agent a")
    assert _parent(root) == outer.get_span_context().span_id


def otel_provider(otel: Otel) -> trace.TracerProvider:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(otel.exporter))
    return provider


async def test_metrics_count_tokens_and_time(otel: Otel) -> None:
    model = FunctionModel(_two_tools_then_answer, model_id="m")
    result = await Agent(model=model, tools=[weather, clock]).arun("go")
    durations = otel.points("gen_ai.client.operation.duration")
    assert sum(p.count for p in durations) == 2
    assert all(dict(p.attributes)["gen_ai.operation.name"] == "chat" for p in durations)
    tokens = {
        dict(p.attributes)["gen_ai.token.type"]: p.sum
        for p in otel.points("gen_ai.client.token.usage")
    }
    assert tokens == {"input": result.usage.prompt_tokens, "output": result.usage.completion_tokens}


async def test_nothing_is_traced_when_not_instrumented(otel: Otel) -> None:
    telemetry.uninstrument()
    assert not telemetry.is_instrumented() and telemetry._global_hooks() == ()
    await Agent(model=ScriptedModel(["x"], model_id="m")).arun("hi")
    assert otel.spans() == []


def test_importing_the_agent_does_not_import_opentelemetry() -> None:
    import subprocess

    code = "import locus.agent, sys; print(any(m.startswith('opentelemetry') for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
