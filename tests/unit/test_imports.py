"""What importing the agent loads: nothing a plain run does not use.

Each check runs a fresh interpreter and reads ``sys.modules`` after the import (issue 16:
``from locus.agent import Agent`` had grown to twice its import time through pydantic,
the stores' ``sqlite3`` and ``typing_extensions``). No timing is asserted.
"""

from __future__ import annotations

import pytest

from tests.fresh import modules_after

_HEAVY = (
    "pydantic",
    "pydantic_core",
    "opentelemetry",
    "psycopg",
    "sqlite3",
    "mcp",
    "temporalio",
    "starlette",
    "typing_extensions",
    "uuid",
    "locus.stores",
)


def _loaded_after(statement: str) -> set[str]:
    """The modules of ``_HEAVY`` present in ``sys.modules`` after ``statement``."""
    return modules_after(statement, _HEAVY)


@pytest.mark.parametrize(
    "statement",
    [
        "import locus",
        "import locus.agent",
        "from locus.agent import Agent, AgentResult, RunContext",
    ],
)
def test_the_agent_imports_none_of_the_optional_machinery(statement: str) -> None:
    assert _loaded_after(statement) == set()


def test_a_plain_run_needs_none_of_it() -> None:
    """A run with no output type, store, hooks or telemetry still loads none of them."""
    run = (
        "from locus.agent import Agent\n"
        "from locus.testing import ScriptedModel\n"
        "result = Agent(model=ScriptedModel(['hello'])).run_sync('hi')\n"
        "assert result.text == 'hello', result.text"
    )
    assert _loaded_after(run) == set()


def test_the_lazy_names_still_resolve() -> None:
    """``ThreadStore`` and ``InMemoryThreadStore`` are still ``locus.agent`` names."""
    import locus.agent
    import locus.stores

    assert locus.agent.ThreadStore is locus.stores.ThreadStore
    assert locus.agent.InMemoryThreadStore is locus.stores.InMemoryThreadStore
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = locus.agent.Nope


def test_an_output_type_loads_pydantic_when_used() -> None:
    loaded = _loaded_after(
        "from locus.core._output_schema import output_schema\noutput_schema(int)"
    )
    assert "pydantic" in loaded


# Modules of features a plain run does not use (issue 16, point 5): each is imported when
# its feature is first configured or used, never by ``from locus.agent import Agent``.
_FEATURES = (
    "locus.agent._state",  # approvals: RunState, Approve, Deny, PendingCall
    "locus.agent._nested",  # a sub-agent's pause carried by its caller
    "locus.agent._paused_agent",  # the agent a resumed run goes on with
    "locus.agent._handoff",  # Agent(handoffs=...)
    "locus.agent._hooks",  # hooks: Hook, ModelRequest, ToolResult
    "locus.agent._output",  # typed output
    "locus.core._output_schema",
    "locus.agent._forwarding",  # agent.as_tool
    "locus.agent._history",  # history processors
    "locus.agent._option_types",  # TypedDicts for type checkers only
    "locus.tools._threads",  # the sync tools' thread pool
    "locus.tools._docstrings",  # Tool(function)
    "difflib",  # the "did you mean" of a bad option name
)


def _features_after(statement: str) -> set[str]:
    """The modules of ``_FEATURES`` present in ``sys.modules`` after ``statement``."""
    return modules_after(statement, _FEATURES)


def test_the_agent_leaves_the_optional_features_unimported() -> None:
    assert _features_after("import asyncio\nfrom locus.agent import Agent") == set()


def test_a_plain_run_with_an_async_tool_imports_none_of_the_features() -> None:
    run = (
        "from locus.agent import Agent\n"
        "from locus.core.messages import ToolCall\n"
        "from locus.testing import ScriptedModel\n"
        "async def double(x: int) -> int:\n"
        "    return 2 * x\n"
        "model = ScriptedModel([ToolCall('c1', 'double', {'x': 2}), 'done'])\n"
        "result = Agent(model, tools=[double]).run_sync('hi')\n"
        "assert result.text == 'done' and result.metrics.tool_calls == 1, result\n"
        "assert result.messages[-2].text == '4', result.messages\n"
    )
    # (the tool's docstring is read: its parser is the one feature module it needs)
    assert _features_after(run) == {"locus.tools._docstrings"}


_MODEL = "from locus.testing import ScriptedModel\nfrom locus.core.messages import ToolCall\n"


@pytest.mark.parametrize(
    ("statement", "loaded"),
    [
        (
            "from locus.agent import Agent\n"
            + _MODEL
            + "b = Agent(ScriptedModel(['b']), name='b')\n"
            "a = Agent(ScriptedModel([ToolCall('c', 'transfer_to_b', {}), 'x']), handoffs=[b])\n"
            "assert a.run_sync('hi').last_agent == 'b'",
            {"locus.agent._handoff", "locus.agent._history"},  # (a filter is a processor)
        ),
        (
            "from locus.agent import Agent\n" + _MODEL + "a = Agent(ScriptedModel(['7']), "
            "output_type=int, output_mode='prompted')\nassert a.run_sync('hi').output == 7",
            {"locus.agent._output", "locus.core._output_schema"},
        ),
        (
            "from locus.agent import Agent, Hook\n" + _MODEL + "seen = []\n"
            "class H(Hook):\n    def on_run_start(self, ctx):\n        seen.append(1)\n"
            "Agent(ScriptedModel(['x'])).run_sync('hi', hooks=[H()])\nassert seen == [1]",
            {"locus.agent._hooks"},
        ),
        (
            "from locus.agent import Agent\nfrom locus.tools import tool\n" + _MODEL + ""
            "@tool(requires_approval=True)\nasync def pay(n: int) -> str:\n"
            "    'Pay.'\n    return 'paid'\n"
            "r = Agent(ScriptedModel([ToolCall('c', 'pay', {'n': 1})]), tools=[pay])"
            ".run_sync('hi')\nassert r.stop_reason == 'awaiting_approval' and r.state",
            # (a pause asks whether a paused sub-run rides along: that is _nested's)
            {"locus.agent._state", "locus.agent._nested", "locus.tools._docstrings"},
        ),
        (
            "from locus.agent import Agent\n" + _MODEL + "sub = Agent(ScriptedModel(['s']))\n"
            "a = Agent(ScriptedModel([ToolCall('c', 'helper', {'input': 'x'}), 'done']), "
            "tools=[sub.as_tool('helper')])\nassert a.run_sync('hi').metrics.sub_runs == 1",
            {"locus.agent._forwarding", "locus.tools._docstrings"},
        ),
        (
            "from locus.agent import Agent\n" + _MODEL + "def double(x: int) -> int:\n"
            "    'Double x.'\n    return 2 * x\n"
            "r = Agent(ScriptedModel([ToolCall('c', 'double', {'x': 2}), 'done']), "
            "tools=[double]).run_sync('hi')\nassert r.messages[-2].text == '4'",
            {"locus.tools._threads", "locus.tools._docstrings"},
        ),
        (
            "from locus.agent import Agent\nfrom locus.core.errors import ConfigurationError\n"
            + _MODEL
            + "try:\n    Agent(ScriptedModel([]), max_iteration=3)\n"
            "except ConfigurationError as exc:\n    assert 'max_iterations' in str(exc)",
            {"difflib"},
        ),
        (
            "from locus.agent import Agent\n" + _MODEL + "seen = []\n"
            "def last(messages):\n    seen.append(len(messages))\n    return messages[-1:]\n"
            "Agent(ScriptedModel(['x']), history_processor=last).run_sync('hi')\n"
            "assert seen == [1]",
            {"locus.agent._history"},
        ),
    ],
    ids=[
        "handoffs",
        "output_type",
        "hooks",
        "approvals",
        "as_tool",
        "sync_tool",
        "bad_option",
        "history_processor",
    ],
)
def test_each_feature_imports_its_module_when_used(statement: str, loaded: set[str]) -> None:
    assert _features_after(statement) == loaded


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("Approve", "locus.agent._state"),
        ("Deny", "locus.agent._state"),
        ("PendingCall", "locus.agent._state"),
        ("RunState", "locus.agent._state"),
        ("Handoff", "locus.agent._handoff"),
        ("HandoffHistory", "locus.agent._handoff"),
        ("Hook", "locus.agent._hooks"),
        ("ModelRequest", "locus.agent._hooks"),
        ("ToolResult", "locus.agent._hooks"),
        ("HistoryProcessor", "locus.agent._history"),
        ("keep_last_turns", "locus.agent._history"),
        ("within_token_budget", "locus.agent._history"),
    ],
)
def test_the_lazy_agent_names_resolve_and_are_listed(name: str, module: str) -> None:
    import importlib

    import locus.agent

    assert name in locus.agent.__all__ and name in dir(locus.agent)
    assert getattr(locus.agent, name) is getattr(importlib.import_module(module), name)


def test_abandoned_tool_calls_is_still_a_tools_name() -> None:
    import locus.tools
    from locus.tools import _threads

    assert "abandoned_tool_calls" in dir(locus.tools)
    assert locus.tools.abandoned_tool_calls is _threads.abandoned
