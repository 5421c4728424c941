"""A history recorded before the agent gave a reused call id one of its own (9bcc078: a
call whose id the conversation holds becomes ``call_<run id>_<iteration>_<place>``)
replays: the model asked ``pay`` twice under ``cohere_call_0``, and each was approved under
that id. Replayed with the new rule, the second call waited under another id, the
recorded approval of ``cohere_call_0`` was refused, the tool call it let run was never
scheduled, and the run failed as nondeterministic (TMPRL1100: no command scheduled for
event ActivityTaskScheduled): every such run in flight when its workers were upgraded
would be stuck. A run asks ``workflow.patched`` for the new rule when it starts; runs
recorded without the marker keep the old one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from locus.agent import Agent
from locus.core.messages import Message, ToolCall
from locus.core.toolspec import ToolSpec
from locus.durable.temporal._agents import serve
from locus.durable.temporal._workflow import AgentWorkflow
from locus.testing import FunctionModel
from locus.tools import tool

DATA = Path(__file__).parents[2] / "data" / "durable"


@tool(requires_approval=True)
def pay(amount: int) -> str:
    """Pay an amount, in euros."""
    return f"paid {amount}"


def _answer(messages: list[Message], tools: list[ToolSpec]) -> Any:
    done = [m.text for m in messages if m.role == "tool"]
    if len(done) < 2:
        return ToolCall("cohere_call_0", "pay", {"amount": 10 if not done else 900})
    return " / ".join(done)


RECORDED = Agent(FunctionModel(_answer), tools=[pay], name="payer")
"""The agent the history was recorded with (served then as ``reused_agent:AGENT``)."""


async def test_a_run_recorded_before_reused_ids_were_renamed_replays() -> None:
    saved = json.loads((DATA / "history_reused_call_id.json").read_text())
    history = WorkflowHistory.from_json(saved["workflow_id"], saved["history"])
    serve("reused_agent:AGENT", RECORDED)
    replayer = Replayer(workflows=[AgentWorkflow], workflow_runner=UnsandboxedWorkflowRunner())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None
