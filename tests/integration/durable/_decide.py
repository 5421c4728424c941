"""Decide on a durable run's pending call from another process:
``python -m tests.integration.durable._decide ADDRESS RUN_ID CALL_ID approve|deny``."""

from __future__ import annotations

import asyncio
import sys

from temporalio.client import Client

from locus.durable.temporal import DurableRun


async def main(address: str, run_id: str, call_id: str, decision: str) -> None:
    durable = DurableRun(await Client.connect(address), run_id)
    if decision == "approve":
        await durable.approve(call_id)
    else:
        await durable.deny(call_id, "refused from another process")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
    print("decided", flush=True)
