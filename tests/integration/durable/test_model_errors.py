"""Model errors inside a durable run, on a real Temporal dev server, the model on the emulator
over HTTP. One retry layer: inside an activity the model makes a single attempt, and
Temporal's retry policy (the model's ``RetryPolicy`` mapped: ``max_retries`` + 1 attempts,
its first delay, doubling, its ceiling) is the schedule, a server's ``Retry-After`` taken as
the next delay. A model that keeps failing with a retryable error (429, 5xx, a dropped
connection) is asked ``max_retries`` + 1 times in all, then the run fails with the typed
error and its status; expired credentials fail the run at once, typed, without a request.

(Before 0da2168 the model also retried inside each activity attempt, with the
same policy, and a failing model was asked (``max_retries`` + 1)² times: 25 with the
defaults, over a minute and a half.)"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from temporalio.client import Client

from locus.agent import Agent
from locus.core.errors import ConnectError, CredentialsError, RateLimitError, ServerError
from locus.durable.temporal import create_worker, run, start_run
from locus.emulator import Emulator
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIAuthType, OCIModel
from tests.deadlines import within

RETRIES = 3
"""The model's ``max_retries``: a durable run asks a failing model ``RETRIES + 1`` times."""


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.principals.add_session_profile("EXPIRED", lifetime=-60)
        yield emulator


def _model(emu: Emulator, profile: str, auth: OCIAuthType) -> OCIModel:
    return OCIModel(
        "meta.llama-3.3-70b-instruct",
        service_endpoint=emu.service_endpoint,
        compartment_id=emu.compartment_id,
        config_file=emu.config_file,
        profile_name=profile,
        auth_type=auth,
        retry_policy=RetryPolicy(max_retries=RETRIES, base_delay=0.05, max_delay=0.1),
    )


@pytest.fixture
async def served(client: Client, emu: Emulator) -> AsyncIterator[tuple[str, str]]:
    """A worker serving ``<prefix>:ok`` (the emulator's API key) and ``<prefix>:expired`` (a
    session token that has expired); yields ``(prefix, queue)``."""
    prefix, queue = f"tests.model_errors{uuid.uuid4().hex[:8]}", f"q-{uuid.uuid4().hex[:8]}"
    agents = {
        f"{prefix}:ok": Agent(_model(emu, emu.profile, OCIAuthType.API_KEY), name="ok"),
        f"{prefix}:expired": Agent(
            _model(emu, "EXPIRED", OCIAuthType.SECURITY_TOKEN), name="expired"
        ),
    }
    async with create_worker(client, task_queue=queue, agents=agents):
        yield prefix, queue


def chats(emu: Emulator) -> int:
    return sum(1 for r in emu.requests if r.operation == "chat")


@pytest.mark.parametrize("local", [True, False], ids=["local", "activity"])
@pytest.mark.parametrize(
    ("fault", "error", "status"),
    [("429", RateLimitError, 429), ("503", ServerError, 503), ("reset_before", ConnectError, 0)],
)
async def test_a_model_that_keeps_failing_is_asked_max_retries_plus_one_times(
    client: Client,
    emu: Emulator,
    served: tuple[str, str],
    fault: str,
    error: Any,
    status: int,
    local: bool,
) -> None:
    prefix, queue = served
    emu.set_faults([fault] * 100)
    with pytest.raises(error) as raised:
        await within(
            run(client, f"{prefix}:ok", "Say hi.", task_queue=queue, local_activities=local),
            "the run's result",
        )
    if status:
        assert raised.value.status == status and raised.value.request_id
    # one retry layer: Temporal's attempts, one request each (before: (RETRIES + 1) ** 2)
    assert chats(emu) == RETRIES + 1


async def test_a_passing_outage_is_ridden_out_across_activity_attempts(
    client: Client, emu: Emulator, served: tuple[str, str]
) -> None:
    prefix, queue = served
    emu.set_faults(["429", "500", "reset_before", "ok"])  # every attempt but the last fails
    result = await within(
        run(client, f"{prefix}:ok", "Say hi.", task_queue=queue), "the run's result"
    )
    assert result.text.endswith("You said: Say hi.")
    assert chats(emu) == RETRIES + 1 and result.metrics.model_calls == 1


async def test_a_servers_retry_after_is_the_next_delay(
    client: Client, emu: Emulator, served: tuple[str, str]
) -> None:
    prefix, queue = served
    emu.set_faults(["429_retry_after", "ok"])  # Retry-After: 1 (the policy's delay: 0.05 s)
    started = time.monotonic()
    result = await within(
        run(client, f"{prefix}:ok", "Say hi.", task_queue=queue), "the run's result"
    )
    assert result.text.endswith("You said: Say hi.") and chats(emu) == 2
    assert time.monotonic() - started >= 1.0  # (0.2 s with the policy's delay)


async def test_a_servers_retry_after_reaches_temporal_from_an_activity(
    client: Client, emu: Emulator, served: tuple[str, str]
) -> None:
    """A normal activity's retry is the server's timer (which waits a second at least, so
    the time proves nothing): the failure the worker sent carries the delay."""
    prefix, queue = served
    emu.set_faults(["429_retry_after", "ok"])
    durable = await start_run(
        client, f"{prefix}:ok", "Say hi.", task_queue=queue, local_activities=False
    )
    await within(durable.result(), "the run's result")
    started = [
        event.activity_task_started_event_attributes
        async for event in durable.handle.fetch_history_events()
        if event.HasField("activity_task_started_event_attributes")
    ]
    assert [s.attempt for s in started] == [2] and chats(emu) == 2
    failure = started[0].last_failure.application_failure_info  # attempt 1's, as sent
    assert failure.type == "RateLimitError"
    assert failure.next_retry_delay.ToTimedelta().total_seconds() == 1.0


async def test_expired_credentials_fail_the_run_at_once_typed(
    client: Client, emu: Emulator, served: tuple[str, str]
) -> None:
    prefix, queue = served
    with pytest.raises(CredentialsError, match="oci session refresh --profile EXPIRED"):
        await within(
            run(client, f"{prefix}:expired", "Say hi.", task_queue=queue), "the run's result"
        )
    assert chats(emu) == 0  # refused before a request, and not retried
