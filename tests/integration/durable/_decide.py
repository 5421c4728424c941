"""Decide on a durable run's pending call from another process:
``python -m tests.integration.durable._decide ADDRESS RUN_ID CALL_ID approve|deny``.

It leaves with ``os._exit`` once the signal is sent: the SDK's runtime can abort during
interpreter finalisation in a short script (temporalio/sdk-python#300), which would turn a
delivered decision into a failed exit code."""

from __future__ import annotations

import asyncio
import os
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
    os._exit(0)
