"""Several agents paused for approval, in another process:
``python -m tests.integration.agent._multi_approval_proc``.

``pause nested|handoff STATE [URL THREAD]`` runs the agents over HTTP against the
emulator and writes the paused ``RunState`` to STATE: ``nested`` is ``boss``, whose tool
``clerk`` (an agent used as a tool) asks for ``refund``, which needs approval;
``handoff`` is ``triage``, which hands the conversation to ``billing``, which asks for
``refund``. ``resume nested|handoff STATE approve|deny [URL]`` loads the state and
resumes it with the first agent (on its thread when it has one), printing the agent
that answered and the answer, or ``AlreadyResumedError``. The emulator's settings come
as JSON in ``LOCUS_EMU``; every run of ``refund`` appends a line to ``LOCUS_PAY_LOG``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from locus.agent import Agent, Approve, Deny, RunState
from locus.core.errors import AlreadyResumedError
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.tools import tool

RULES: dict[str, Any] = {
    "_origin": "Written for tests/integration/agent/test_multi_agent_approvals.py (Locus).",
    "rules": [
        {  # billing (its own model) asks for the refund once, after the transfer
            "when": {"model": "xai.grok-4", "contains": "Move me", "tool_results": True},
            "reply": {"tool_calls": [{"name": "refund", "arguments": {"order": "B2"}}]},
            "times": 1,
        },
        {
            "when": {"contains": "Move me", "tool_results": False},
            "reply": {"tool_calls": [{"name": "transfer_to_billing", "arguments": {}}]},
        },
        {
            "when": {"contains": "through the clerk", "tool_results": False},
            "reply": {
                "tool_calls": [{"name": "clerk", "arguments": {"input": "Pay back order A17"}}]
            },
        },
        {
            "when": {"contains": "Pay back order", "tool_results": False},
            "reply": {"tool_calls": [{"name": "refund", "arguments": {"order": "A17"}}]},
        },
        {"when": {"tool_results": True}, "reply": {"text": "{results}"}},
    ],
}
"""The emulator's script (the test writes it to a file for ``Emulator(rules=...)``)."""

PROMPTS = {"nested": "Refund A17 through the clerk.", "handoff": "Move me to billing."}


@tool(requires_approval=True)
def refund(order: str) -> str:
    """Refund an order."""
    with open(os.environ["LOCUS_PAY_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{order} {os.getpid()}\n")
    return f"refunded {order}"


def model(model_id: str) -> OCIModel:
    emu = json.loads(os.environ["LOCUS_EMU"])
    return OCIModel(
        model_id,
        service_endpoint=emu["endpoint"],
        compartment_id=emu["compartment"],
        config_file=emu["config_file"],
        profile_name=emu["profile"],
        auth_type=OCIAuthType.API_KEY,
    )


def agent(kind: str, url: str | None) -> Agent:
    llama = "meta.llama-3.3-70b-instruct"
    if kind == "nested":
        clerk = Agent(model(llama), tools=[refund], name="clerk")
        return Agent(model(llama), tools=[clerk.as_tool()], name="boss", thread_store=url)
    billing = Agent(model("xai.grok-4"), tools=[refund], name="billing")
    return Agent(model(llama), name="triage", handoffs=[billing], thread_store=url)


def pause(kind: str, state_file: str, url: str | None, thread_id: str | None) -> None:
    result = agent(kind, url).run_sync(PROMPTS[kind], thread_id=thread_id, timeout=60)
    assert result.state is not None, result
    Path(state_file).write_bytes(result.state.dump())
    (call,) = result.pending
    print(result.stop_reason, call.tool, "/".join(call.path) or "-", result.last_agent, flush=True)


def resume(kind: str, state_file: str, decision: str, url: str | None) -> None:
    state = RunState.load(Path(state_file).read_bytes())
    choice = Approve() if decision == "approve" else Deny("paid already")
    approvals = {call.id: choice for call in state.pending}
    try:
        result = agent(kind, url).resume_sync(state, approvals=approvals, timeout=60)
    except AlreadyResumedError:
        print("AlreadyResumedError", flush=True)
        return
    print(f"{result.last_agent}: {result.text}", flush=True)


if __name__ == "__main__":
    mode, kind, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode == "pause":
        pause(kind, rest[0], *(rest[1:3] if len(rest) > 1 else (None, None)))
    else:
        resume(kind, rest[0], rest[1], rest[2] if len(rest) > 2 else None)
