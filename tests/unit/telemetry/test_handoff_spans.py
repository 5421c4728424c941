"""Spans of a run with handoffs: the run's ``invoke_agent`` span keeps the invoked agent's
name and model; each receiving agent gets an ``invoke_agent {agent}`` span of its own
under it, and its chat and tool spans nest there (in-memory exporter, test models)."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import StatusCode

from locus.agent import Agent
from locus.core.errors import ModelError
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, Turn
from locus.tools.decorator import tool

from .conftest import Otel


@tool
async def refund(order: str) -> str:
    """Refund an order."""
    return f"refunded {order}"


def hands_to(target: str, model_id: str) -> FunctionModel:
    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        return ToolCall(f"h-{target}", f"transfer_to_{target}", {})

    return FunctionModel(brain, model_id=model_id)


def refunds(messages: list[Message], tools: list[ToolSpec]) -> Turn:
    if messages[-1].role == "tool" and messages[-1].name == "refund":
        return "Refunded."
    return ToolCall("r1", "refund", {"order": "A17"})


def _parent(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def _id(span: ReadableSpan) -> int:
    assert span.context is not None
    return int(span.context.span_id)


def billing(model: FunctionModel) -> Agent:
    return Agent(model, tools=[refund], name="billing", description="refunds")


async def test_the_receiving_agents_calls_nest_under_its_own_invoke_agent_span(
    otel: Otel,
) -> None:
    triage = Agent(
        hands_to("billing", "triage-model"),
        name="triage",
        handoffs=[billing(FunctionModel(refunds, model_id="billing-model"))],
    )
    result = await triage.arun("Refund A17")
    assert (result.text, result.last_agent) == ("Refunded.", "billing")
    assert sorted(s.name for s in otel.spans()) == [
        "chat billing-model",
        "chat billing-model",
        "chat triage-model",
        "execute_tool refund",
        "invoke_agent billing",
        "invoke_agent triage",
    ]
    root, segment = otel.span("invoke_agent triage"), otel.span("invoke_agent billing")
    assert _parent(root) is None and _parent(segment) == _id(root)
    assert root.attributes is not None and segment.attributes is not None
    assert root.attributes["gen_ai.agent.name"] == "triage"
    assert root.attributes["gen_ai.request.model"] == "triage-model"  # the invoked agent's
    assert root.attributes["gen_ai.usage.input_tokens"] == result.usage.prompt_tokens
    assert dict(segment.attributes) == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "billing",
        "gen_ai.provider.name": "locus.testing._function",
        "gen_ai.request.model": "billing-model",
    }
    assert _parent(otel.span("chat triage-model")) == _id(root)
    billing_chats = [s for s in otel.spans() if s.name == "chat billing-model"]
    assert [_parent(s) for s in billing_chats] == [_id(segment)] * 2
    assert _parent(otel.span("execute_tool refund")) == _id(segment)
    assert segment.end_time is not None and root.end_time is not None
    assert root.start_time is not None and segment.start_time is not None
    assert root.start_time <= segment.start_time and segment.end_time <= root.end_time


async def test_each_handoff_starts_a_new_segment(otel: Otel) -> None:
    third = billing(FunctionModel(refunds, model_id="billing-model"))
    second = Agent(hands_to("billing", "second-model"), name="second", handoffs=[third])
    first = Agent(hands_to("second", "first-model"), name="first", handoffs=[second])
    result = await first.arun("go")
    assert result.last_agent == "billing"
    root = otel.span("invoke_agent first")
    middle, last = otel.span("invoke_agent second"), otel.span("invoke_agent billing")
    assert _parent(middle) == _parent(last) == _id(root)  # siblings, one after the other
    assert middle.end_time is not None and last.start_time is not None
    assert middle.end_time <= last.start_time
    assert _parent(otel.span("chat second-model")) == _id(middle)


async def test_a_failure_after_a_handoff_marks_both_spans(otel: Otel) -> None:
    def broken(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        raise ModelError("billing is down")

    triage = Agent(
        hands_to("billing", "triage-model"),
        name="triage",
        handoffs=[billing(FunctionModel(broken, model_id="billing-model"))],
    )
    with pytest.raises(ModelError):
        await triage.arun("Refund A17")
    for name in ("invoke_agent triage", "invoke_agent billing"):
        span = otel.span(name)
        assert span.status.status_code is StatusCode.ERROR
        assert span.attributes is not None and span.attributes["error.type"] == "ModelError"


async def test_a_run_without_handoffs_has_one_invoke_agent_span(otel: Otel) -> None:
    agent = billing(FunctionModel(refunds, model_id="billing-model"))
    await agent.arun("Refund A17")
    assert [s.name for s in otel.spans() if s.name.startswith("invoke_agent")] == [
        "invoke_agent billing"
    ]
