"""What a client passes that a run cannot use, against a real Temporal dev server: a
timeout that is not a positive number of seconds, an empty task queue, an events index
that is not a count. Each is a ``ConfigurationError`` before anything is started or asked.
(Before: a run with such a timeout was started and stuck, every workflow task failing
(``invalid HeartbeatTimeout: negative duration``, ``cannot convert float NaN``); an empty
task queue was a raw ``RPCError``; ``events(since=-2)`` answered the last two events and
``events(since="1")`` raised a raw ``TypeError``.)"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from temporalio.client import Client

from locus.core.errors import ConfigurationError
from locus.durable.temporal import DurableRun, start_run


@pytest.mark.parametrize(
    "options",
    [
        {"heartbeat_timeout": -1},
        {"tool_timeout": 0},
        {"model_timeout": float("nan")},
        {"model_timeout": float("inf")},
        {"heartbeat_timeout": "30"},
    ],
    ids=lambda o: f"{next(iter(o))}={next(iter(o.values()))!r}",
)
async def test_a_timeout_that_is_not_positive_seconds_is_refused_before_the_run_starts(
    client: Client, options: dict[str, Any]
) -> None:
    run_id = f"locus-run-{uuid.uuid4().hex}"
    name = next(iter(options))
    with pytest.raises(ConfigurationError, match=f"{name} must be a number of seconds"):
        await start_run(client, "tests.x:agent", "Hi.", task_queue="q", run_id=run_id, **options)
    with pytest.raises(ConfigurationError, match="no durable run"):
        await DurableRun(client, run_id).events()  # nothing was started


async def test_an_empty_task_queue_is_refused(client: Client) -> None:
    for queue in ("", None, 3):
        with pytest.raises(ConfigurationError, match="task_queue must be"):
            await start_run(client, "tests.x:agent", "Hi.", task_queue=queue)  # type: ignore[arg-type]


async def test_an_events_index_that_is_not_a_count_is_refused(client: Client) -> None:
    durable = DurableRun(client, f"locus-run-{uuid.uuid4().hex}")
    for since in (-2, "1", 1.5, True):
        with pytest.raises(ConfigurationError, match="since must be"):
            await durable.events(since)  # type: ignore[arg-type]
