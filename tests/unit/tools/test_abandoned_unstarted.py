"""A sync tool call given up on before any thread started it never runs.

The run that made it has ended (cancelled, timed out, failed) and has answered the call
with an error: running it afterwards would be a side effect (a payment, an email)
nobody is told about. Before, such a call still ran once a thread was free, and was
logged as "still running in thread (starting)".
"""

from __future__ import annotations

import logging

import pytest

from locus.tools import abandoned_tool_calls
from locus.tools._threads import abandon, run_in_tool_thread, start_in_tool_thread


async def test_a_call_abandoned_before_it_started_never_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []
    before = abandoned_tool_calls()

    def record(what: str) -> None:
        ran.append(what)

    with caplog.at_level(logging.WARNING, logger="locus.tools"):
        job = start_in_tool_thread("pay", record, {"what": "paid"})
        abandon(job)  # the same loop iteration: no thread has it yet
        # a later call on the same loop: once it is back, the first had its chance to run
        await run_in_tool_thread("later", record, {"what": "later"})
    assert ran == ["later"] and job.future.cancelled()
    assert abandoned_tool_calls() == before
    assert "still running" not in caplog.text
