"""The public names of the packages this layer owns are pinned here."""

from __future__ import annotations

import importlib

import pytest

SURFACE = {
    "locus.agent": {
        "Agent",
        "AgentResult",
        "InMemoryThreadStore",
        "IterationEnded",
        "IterationStarted",
        "Metrics",
        "ModelTextDelta",
        "Prompt",
        "ReasoningDelta",
        "RunEvent",
        "RunFinished",
        "RunStopReason",
        "ThreadStore",
        "ToolCallFinished",
        "ToolCallStarted",
    },
    "locus.tools": {
        "DEFAULT_MAX_RESULT_CHARS",
        "Tool",
        "ToolExecutor",
        "ToolOutcome",
        "as_tools",
        "tool",
    },
    "locus.tools.decorator": {"Tool", "tool"},
    "locus.testing": {
        "AnswerFunction",
        "FunctionModel",
        "ModelRequest",
        "ScriptedModel",
        "ScriptedTurn",
        "TestModelBase",
        "Turn",
        "create_model",
        "echo",
    },
    "locus.models": {"ModelFactory", "get_model", "list_providers", "register_provider"},
}


@pytest.mark.parametrize("module", sorted(SURFACE))
def test_all_is_pinned_and_importable(module: str) -> None:
    imported = importlib.import_module(module)
    assert set(imported.__all__) == SURFACE[module]
    for name in imported.__all__:
        assert hasattr(imported, name)
