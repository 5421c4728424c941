"""The deadline of a plain attempt on the aiohttp direct path: past it the attempt gives
``None`` and its task is left as it was; any other cancellation passes through, as with
``asyncio.timeout``; and a waiting attempt holds no ``asyncio.Timeout``."""

from __future__ import annotations

import asyncio
import gc
import math
from collections.abc import AsyncIterator

import pytest

from locus.models.http import _direct
from locus.models.http._direct import attempt
from locus.models.http.aiohttp_transport import AiohttpTransport
from tests.loopback import Server

from .test_direct_plain_attempt import _read_head, _request


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_head(reader)
    await asyncio.sleep(10)


@pytest.fixture
async def silent_url() -> AsyncIterator[str]:
    async with Server(_silent) as server:
        yield server.url


async def test_past_the_deadline_the_task_is_left_uncancelled(silent_url: str) -> None:
    transport = AiohttpTransport(trust_env=False)
    try:
        deadline = asyncio.get_running_loop().time() + 0.2
        assert await attempt(transport, _request(silent_url), None, deadline) is None
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0
        await asyncio.sleep(0)  # no cancellation left pending
        assert not _direct._EXPIRED
    finally:
        await transport.aclose()


async def test_another_cancellation_passes_through(silent_url: str) -> None:
    transport = AiohttpTransport(trust_env=False)
    try:
        far = asyncio.get_running_loop().time() + 30
        waiting = asyncio.ensure_future(attempt(transport, _request(silent_url), None, far))
        await asyncio.sleep(0.2)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    finally:
        await transport.aclose()


async def test_a_cancellation_with_the_deadline_is_not_taken_for_a_timeout(
    silent_url: str,
) -> None:
    transport = AiohttpTransport(trust_env=False)
    loop = asyncio.get_running_loop()
    try:
        deadline = loop.time() + 0.2
        waiting = asyncio.ensure_future(attempt(transport, _request(silent_url), None, deadline))
        loop.call_at(deadline, waiting.cancel)  # due at the same time as the attempt's timer
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert not _direct._EXPIRED
    finally:
        await transport.aclose()


async def test_a_waiting_attempt_holds_no_timeout_object(silent_url: str) -> None:
    transport = AiohttpTransport(trust_env=False)
    try:
        far = asyncio.get_running_loop().time() + 30
        waiting = asyncio.ensure_future(attempt(transport, _request(silent_url), None, far))
        await asyncio.sleep(0.2)
        assert not [o for o in gc.get_objects() if type(o) is asyncio.Timeout]
        assert not waiting.done()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert math.isfinite(far)
    finally:
        await transport.aclose()
