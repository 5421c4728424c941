"""Model errors inside a durable run, on a real Temporal dev server, the model on the emulator
over HTTP: throttling (429) and server errors (5xx) are retried, by the model (its
``RetryPolicy``) inside each activity attempt and by Temporal (the same policy, mapped)
across attempts, and a run that outlasts them fails with the typed error and its status;
expired credentials fail the run at once, typed, without a request."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from temporalio.client import Client

from locus.agent import Agent
from locus.core.errors import CredentialsError, RateLimitError, ServerError
from locus.durable.temporal import create_worker, run
from locus.emulator import Emulator
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIAuthType, OCIModel

RETRIES = 2
"""The model's ``max_retries``: 3 HTTP attempts per activity attempt, 3 activity attempts."""


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


@pytest.mark.parametrize(
    ("fault", "error", "status"), [("429", RateLimitError, 429), ("503", ServerError, 503)]
)
async def test_a_model_that_keeps_failing_fails_the_run_typed_after_both_retries(
    client: Client, emu: Emulator, served: tuple[str, str], fault: str, error: Any, status: int
) -> None:
    prefix, queue = served
    emu.set_faults([fault] * 100)
    with pytest.raises(error) as raised:
        await run(client, f"{prefix}:ok", "Say hi.", task_queue=queue)
    assert raised.value.status == status and raised.value.request_id
    # each of Temporal's 3 attempts made the model's 3: (max_retries + 1) ** 2 requests
    assert chats(emu) == (RETRIES + 1) ** 2


async def test_a_passing_outage_is_ridden_out_across_activity_attempts(
    client: Client, emu: Emulator, served: tuple[str, str]
) -> None:
    prefix, queue = served
    emu.set_faults(["429", "500", "503", "429", "ok"])  # more than one activity attempt's
    result = await run(client, f"{prefix}:ok", "Say hi.", task_queue=queue)
    assert result.text.endswith("You said: Say hi.")
    assert chats(emu) == 5 and result.metrics.model_calls == 1


async def test_expired_credentials_fail_the_run_at_once_typed(
    client: Client, emu: Emulator, served: tuple[str, str]
) -> None:
    prefix, queue = served
    with pytest.raises(CredentialsError, match="oci session refresh --profile EXPIRED"):
        await run(client, f"{prefix}:expired", "Say hi.", task_queue=queue)
    assert chats(emu) == 0  # refused before a request, and not retried
