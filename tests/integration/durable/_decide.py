"""Decide on a durable run's pending call from another process:
``python -m tests.integration.durable._decide ADDRESS RUN_ID CALL_ID approve|deny``.

It leaves with ``os._exit`` once the signal is sent: the SDK's runtime can abort during
interpreter finalisation in a short script (temporalio/sdk-python#300), which would turn a
delivered decision into a failed exit code."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from temporalio.client import Client

from locus.durable.temporal import DurableRun
from tests.integration.stores.services import ROOT


async def main(address: str, run_id: str, call_id: str, decision: str) -> None:
    durable = DurableRun(await Client.connect(address), run_id)
    if decision == "approve":
        await durable.approve(call_id)
    else:
        await durable.deny(call_id, "refused from another process")


def in_another_process(
    address: str, run_id: str, call_id: str, decision: str, env: dict[str, str]
) -> None:
    """Send the decision from a new interpreter (this module); fail if it was not sent."""
    command = [sys.executable, "-m", "tests.integration.durable._decide", address]
    decided = subprocess.run(
        [*command, run_id, call_id, decision],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert decided.returncode == 0, decided.stderr


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
    print("decided", flush=True)
    os._exit(0)
