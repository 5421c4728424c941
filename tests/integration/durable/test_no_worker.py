"""A durable run whose workers are all stopped, on a real Temporal dev server: a person's
approval (an update, which only a worker answers), ``pending()`` and ``events()`` wait a
bounded time (``timeout=``) and then raise a ``ConfigurationError`` that says no worker
answered, which task queue needs one and what happens to the decision; the run loses
nothing, and goes on when a worker starts again. (Before, ``approve`` waited with no
bound: a UI's approve call hung until a worker came back.)"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from temporalio.client import Client

from locus.core.errors import AlreadyResumedError, ConfigurationError
from locus.durable.temporal import DurableRun, start_run
from tests.deadlines import wait_until, within
from tests.integration.durable.conftest import TRIP, Workers, tool_log


async def _waiting(durable: DurableRun) -> None:
    await wait_until(durable.pending, "a call of the run waits for a decision")


async def test_an_approval_with_every_worker_down_is_a_bounded_typed_error_and_loses_nothing(
    client: Client, workers: Workers, env: dict[str, str], task_queue: str
) -> None:
    proc = workers.start()
    durable = await start_run(client, TRIP, "Pay Ada 300 euros.", task_queue=task_queue)
    await _waiting(durable)
    (call,) = await durable.pending()
    workers.kill(proc)  # every worker is down: the call waits, and nobody can answer
    asks: list[Callable[[], Awaitable[Any]]] = [
        lambda: durable.approve(call.id, timeout=2),
        lambda: durable.deny(call.id, "no", timeout=2),
        lambda: durable.pending(timeout=2),
        lambda: durable.events(timeout=2),
    ]
    messages = []
    for ask in asks:
        started = time.monotonic()
        async with asyncio.timeout(30):  # (the test fails, never hangs, on a wait unbounded)
            with pytest.raises(ConfigurationError) as raised:
                await ask()
        assert time.monotonic() - started < 10
        messages.append(str(raised.value))
    for message in messages:
        assert "no worker answered" in message and "waited 2 s" in message
        assert f"locus worker --task-queue {task_queue}" in message
    assert "may still take it" in messages[0] and "send the decision again" in messages[0]
    assert tool_log(env) == []
    # a worker starts again: the run goes on. A decision sent while none ran may be taken
    # then (the first stands), or not (send it again): either way the call runs once at most
    workers.start()
    with contextlib.suppress(AlreadyResumedError):  # (the first decision was taken)
        await durable.approve(call.id, timeout=60)
    result = await within(durable.result(), "the run's result")
    assert tool_log(env) in ([], ["pay Ada 300"])
    assert ("paid 300 euros to Ada" in result.text) == (tool_log(env) == ["pay Ada 300"])


async def test_a_timeout_that_is_not_a_positive_number_is_refused(client: Client) -> None:
    durable = DurableRun(client, "locus-run-unknown")
    for bad in (0, -1, float("nan"), "5", True):
        with pytest.raises(ConfigurationError, match="timeout must be a number of seconds"):
            await durable.approve("p1", timeout=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="timeout must be"):
        await durable.pending(timeout=0)
