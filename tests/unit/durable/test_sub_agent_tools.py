"""What the durable layer reads of ``agent.as_tool``'s tools (the agent, ``output_type`` and
``max_depth`` as ``as_tool`` recorded them), how a worker finds a sub-agent from a
run's ``via``, and the ids, paths and event wrappers of a sub-run's ``Scope``."""

from __future__ import annotations

from typing import Any

import pytest

from locus.agent import Agent
from locus.core.errors import ConfigurationError
from locus.durable.temporal._agents import agent_at, everyone
from locus.durable.temporal._scope import Scope
from locus.durable.temporal._sub_runs import sub_agent_tools
from locus.testing import ScriptedModel
from locus.tools import tool


@tool
def ping() -> str:
    """Answer pong."""
    return "pong"


def agents() -> tuple[Agent[Any], Agent[Any], Agent[Any]]:
    billing = Agent(ScriptedModel(["ok"]), tools=[ping], name="billing")
    clerk = Agent(ScriptedModel(["ok"]), handoffs=[billing], name="clerk")
    desk = Agent(
        ScriptedModel(["ok"]),
        tools=[clerk.as_tool("ask_clerk", output_type=int, max_depth=2), ping],
        name="desk",
    )
    return desk, clerk, billing


def test_as_tool_s_agent_and_settings_are_found_on_its_tool() -> None:
    desk, clerk, _ = agents()
    found = sub_agent_tools(desk._config.toolbox.tools, 100)
    assert list(found) == ["ask_clerk"]
    sub = found["ask_clerk"]
    assert (sub.agent, sub.output_type, sub.max_depth, sub.max_result_chars) == (clerk, int, 2, 100)
    plain = sub_agent_tools([clerk.as_tool()], None)["clerk"]
    assert (plain.output_type, plain.max_depth) == (None, 4)  # as_tool's defaults


def test_a_worker_finds_a_sub_agent_and_its_handoffs_through_via() -> None:
    desk, clerk, billing = agents()
    assert agent_at(desk, (), "desk") is desk
    assert agent_at(desk, [["desk", "ask_clerk"]], "clerk") is clerk
    assert agent_at(desk, [["desk", "ask_clerk"]], "billing") is billing
    with pytest.raises(ConfigurationError, match="no agent used as a tool named 'ping'"):
        agent_at(desk, [["desk", "ping"]], "clerk")
    assert {a.name for a in everyone(desk)} == {"desk", "clerk", "billing"}


def test_a_sub_scope_prefixes_ids_names_the_path_and_wraps_events() -> None:
    seen: list[dict[str, Any]] = []
    top = Scope("run-1", seen.append)
    assert top.path("desk") == () and top.ids == ""
    sub = top.sub("desk", "ask_clerk", "d1", "clerk")
    deeper = sub.sub("billing", "ask_audit", "c1", "audit")
    assert (sub.run_id, sub.ids, sub.path("billing"), sub.depth) == (
        "run-1/d1",
        "d1/",
        ("billing",),
        1,
    )
    assert (deeper.run_id, deeper.ids, deeper.path("audit"), deeper.depth) == (
        "run-1/d1/c1",
        "d1/c1/",
        ("billing", "audit"),
        2,
    )
    assert deeper.via == (("desk", "ask_clerk"), ("billing", "ask_audit"))
    deeper.emit({"kind": "run_finished"})
    assert seen == [
        {
            "kind": "sub_agent_event",
            "agent_name": "clerk",
            "call_id": "d1",
            "event": {
                "kind": "sub_agent_event",
                "agent_name": "audit",
                "call_id": "c1",
                "event": {"kind": "run_finished"},
            },
        }
    ]
