"""The run settings' local-activity switch, the worker's sandbox switch, and when an
activity heartbeats (Temporal's ``ActivityEnvironment``: a real activity context, no
server): a call that ends before a third of its heartbeat timeout sends no heartbeat, a
longer one does, a local activity never does."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from locus.core.errors import BadRequestError
from locus.durable.temporal._activities import _heartbeating
from locus.durable.temporal._where import Settings
from locus.durable.temporal._worker import _parser


def test_a_request_without_the_local_setting_replays_with_normal_activities() -> None:
    # runs started before local activities existed recorded activities: keep them
    assert Settings.from_json({"heartbeat": 2, "model": 5, "tool": 9}) == Settings(
        heartbeat=2.0, model=5.0, tool=9.0, local=False
    )
    assert Settings.from_json({"local": True}).local is True
    assert Settings.from_json({}) == Settings()


def test_the_worker_cli_runs_sandboxed_unless_told() -> None:
    assert _parser("w").parse_args(["--task-queue", "q", "m:a"]).no_sandbox is False
    assert _parser("w").parse_args(["--task-queue", "q", "--no-sandbox", "m:a"]).no_sandbox


def environment(
    heartbeat: float | None, *, local: bool = False
) -> tuple[ActivityEnvironment, list[object]]:
    env = ActivityEnvironment()
    timeout = None if heartbeat is None else timedelta(seconds=heartbeat)
    env.info = dataclasses.replace(env.info, heartbeat_timeout=timeout, is_local=local)
    beats: list[object] = []
    env.on_heartbeat = lambda *details: beats.append(details)
    return env, beats


async def quick() -> str:
    return "done"


@pytest.mark.parametrize("local", [False, True])
async def test_a_call_that_ends_at_once_sends_no_heartbeat(local: bool) -> None:
    env, beats = environment(30.0, local=local)
    assert await env.run(_heartbeating, quick()) == "done"
    assert beats == []


async def test_a_call_that_outlives_a_third_of_the_timeout_heartbeats() -> None:
    env, beats = environment(0.03)
    released = asyncio.Event()

    def beat(*details: object) -> None:
        beats.append(details)
        released.set()

    env.on_heartbeat = beat

    async def slow() -> str:
        await released.wait()  # ends only once the activity has heartbeaten
        return "slow done"

    assert await env.run(_heartbeating, slow()) == "slow done"
    assert len(beats) >= 1


async def test_a_locus_error_leaves_as_a_non_retryable_application_error() -> None:
    env, _ = environment(None)

    async def failing() -> str:
        raise BadRequestError("bad body", status=400)

    with pytest.raises(ApplicationError) as caught:
        await env.run(_heartbeating, failing())
    assert caught.value.type == "BadRequestError" and caught.value.non_retryable
