"""A paused run in another process: ``python -m tests.integration.agent._approval_proc``.

``pause STATE [URL THREAD]`` runs an agent whose model (the emulator, over HTTP) asks for
the ``pay`` tool, which needs approval, and writes the paused ``RunState`` to STATE.
``resume STATE approve|deny [URL]`` loads it and resumes it (on its thread when it has
one), printing the answer or ``AlreadyResumedError``. The emulator's settings come as
JSON in ``LOCUS_EMU``; every run of ``pay`` appends a line to the file ``LOCUS_PAY_LOG``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from locus.agent import Agent, Approve, Deny, RunState
from locus.core.errors import AlreadyResumedError
from locus.models.providers.oci import OCIAuthType, OCIModel
from locus.tools import tool


@tool(requires_approval=True)
def pay(to: str, amount: int) -> str:
    """Pay someone an amount of euros."""
    with open(os.environ["LOCUS_PAY_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{to} {amount} {os.getpid()}\n")
    return f"paid {amount} euros to {to}"


def agent(url: str | None) -> Agent:
    emu = json.loads(os.environ["LOCUS_EMU"])
    model = OCIModel(
        "meta.llama-3.3-70b-instruct",
        service_endpoint=emu["endpoint"],
        compartment_id=emu["compartment"],
        config_file=emu["config_file"],
        profile_name=emu["profile"],
        auth_type=OCIAuthType.API_KEY,
    )
    return Agent(model, tools=[pay], name="payer", thread_store=url)


def pause(state_file: str, url: str | None, thread_id: str | None) -> None:
    result = agent(url).run_sync("Pay Ada 300 euros.", thread_id=thread_id, timeout=60)
    assert result.state is not None
    Path(state_file).write_bytes(result.state.dump())
    print(result.stop_reason, result.pending[0].tool, flush=True)


def resume(state_file: str, decision: str, url: str | None) -> None:
    state = RunState.load(Path(state_file).read_bytes())
    choice = Approve() if decision == "approve" else Deny("Ada was paid yesterday")
    try:
        result = agent(url).resume_sync(state, approvals={state.pending[0].id: choice}, timeout=60)
    except AlreadyResumedError:
        print("AlreadyResumedError", flush=True)
        return
    print(result.text, flush=True)


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "pause":
        pause(rest[0], *(rest[1:3] if len(rest) > 1 else (None, None)))
    else:
        resume(rest[0], rest[1], rest[2] if len(rest) > 2 else None)
