"""``requires_approval=`` of an MCP server: which of its tools pause a run for a person
(every one, none, the destructive ones by their MCP annotations, named ones, or a rule),
and a run paused on an MCP tool that is approved calls the server once."""

from __future__ import annotations

from typing import Any

import pytest
from tests.integration.mcp.conftest import stdio_server

from locus.agent import Agent, Approve, Deny
from locus.core.errors import ConfigurationError
from locus.core.messages import ToolCall
from locus.mcp import MCPServerStdio
from locus.testing import ScriptedModel

ORDER = {"order_id": "A-7", "customer": {"name": "Ann", "tier": "gold"}}


async def _rules(server: MCPServerStdio) -> dict[str, Any]:
    try:
        return {t.name: t.requires_approval for t in await server.list_tools()}
    finally:
        await server.aclose()


async def test_destructive_follows_the_mcp_annotations() -> None:
    rules = await _rules(stdio_server(requires_approval="destructive"))
    # read-only; not read-only but said non-destructive: no approval
    assert rules["lookup_order"] is False and rules["total_items"] is False
    # said destructive; no annotations (the spec's default is destructive): approval
    assert rules["read_doc"] is True and rules["picture"] is True and rules["fail"] is True


async def test_true_false_and_names() -> None:
    assert set((await _rules(stdio_server(requires_approval=True))).values()) == {True}
    assert set((await _rules(stdio_server())).values()) == {False}
    named = await _rules(stdio_server(requires_approval=["fail", "weather"], prefix="crm_"))
    assert {name for name, rule in named.items() if rule} == {"crm_fail", "crm_weather"}


async def test_a_function_is_asked_for_each_call() -> None:
    def only_gold(call: ToolCall, ctx: Any) -> bool:
        return bool(call.arguments.get("customer", {}).get("tier") == "gold")

    server = stdio_server(requires_approval=only_gold)
    silver = {"order_id": "B-1", "customer": {"name": "Bo", "tier": "silver"}}
    model = ScriptedModel(
        [[ToolCall("g", "lookup_order", ORDER), ToolCall("s", "lookup_order", silver)], "ok"]
    )
    async with Agent(model, tools=[server]) as agent:
        paused = await agent.arun("look both up")
    assert paused.stop_reason == "awaiting_approval"
    assert [p.id for p in paused.pending] == ["g"]  # the silver one ran
    assert paused.state is not None and "s" in paused.state.results


@pytest.mark.parametrize("decision", ["approve", "deny"])
async def test_a_run_paused_on_an_mcp_tool_resumes_and_calls_the_server_once(
    decision: str,
) -> None:
    server = stdio_server(requires_approval=["lookup_order"])
    model = ScriptedModel([ToolCall("c1", "lookup_order", ORDER), "done"])
    async with Agent(model, tools=[server]) as agent:
        paused = await agent.arun("find order A-7")
        assert paused.stop_reason == "awaiting_approval"
        (pending,) = paused.pending
        assert (pending.tool, pending.arguments) == ("lookup_order", ORDER)
        assert paused.state is not None
        choice = Approve() if decision == "approve" else Deny("not now")
        done = await agent.resume(paused.state, approvals={"c1": choice})
    assert done.stop_reason == "complete" and done.text == "done"
    (result,) = [m for m in done.messages if m.role == "tool"]
    if decision == "approve":
        assert result.content == "order A-7 for Ann (gold): shipped"
    else:
        assert "denied" in (result.content or "") and "not now" in (result.content or "")


@pytest.mark.parametrize("rule", ["everything", 3, ["ok", 4]])
def test_a_bad_rule_is_refused_when_the_server_is_made(rule: Any) -> None:
    with pytest.raises(ConfigurationError, match="requires_approval"):
        stdio_server(requires_approval=rule)
