"""Agents for the tests of sub-agent pauses: a clerk whose ``refund`` needs approval, and
callers that use agents as tools (real ``FunctionModel`` runs, no mocks)."""

from __future__ import annotations

from collections.abc import Sequence

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.testing import FunctionModel, Turn
from locus.tools import tool

refunded: list[str] = []
"""The orders ``refund`` refunded, in order (each run of the tool adds one)."""
looked_up: list[str] = []


@tool(requires_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    refunded.append(order)
    return f"refunded {order}"


@tool(name="refund")
def free_refund(order: str) -> str:
    """Refund an order (no approval: for runs to compare with)."""
    refunded.append(order)
    return f"refunded {order}"


@tool
def lookup(order: str) -> str:
    """Look an order up."""
    looked_up.append(order)
    return f"{order} is paid"


def clerk_model(call_id: str = "c1", again: bool = False) -> FunctionModel:
    """Refunds the order it is given (its task's text); with ``again``, a second order
    ``<order>b`` after the first; then says what its last tool answered."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        order = next(m.text for m in messages if m.role == "user")
        results = [m for m in messages if m.role == "tool" and m.name == "refund"]
        if not results:
            return ToolCall(call_id, "refund", {"order": order})
        if again and len(results) == 1:
            return ToolCall(f"{call_id}-again", "refund", {"order": f"{order}b"})
        return "clerk: " + results[-1].text

    return FunctionModel(brain, model_id="clerk-model")


def clerk(call_id: str = "c1", *, again: bool = False, approval: bool = True) -> Agent:
    tools = [refund if approval else free_refund]
    return Agent(clerk_model(call_id, again), tools=tools, name="clerk")


def caller_model(calls: Sequence[ToolCall], name: str = "boss") -> FunctionModel:
    """Makes ``calls`` in its first turn, then joins the results it read, in call order."""

    def brain(messages: list[Message], tools: list[ToolSpec]) -> Turn:
        if messages[-1].role == "user":
            return list(calls)
        return " | ".join(m.text for m in messages if m.role == "tool")

    return FunctionModel(brain, model_id=f"{name}-model")


def caller(calls: Sequence[ToolCall], tools: Sequence[object], name: str = "boss") -> Agent:
    return Agent(caller_model(calls, name), tools=list(tools), name=name)


def asks(call_id: str, tool: str, task: str) -> ToolCall:
    """A call of the agent used as a tool ``tool`` with the task ``task``."""
    return ToolCall(call_id, tool, {"input": task})
