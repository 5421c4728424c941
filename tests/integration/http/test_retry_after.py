"""A hostile ``Retry-After`` (``nan``, ``inf``, negative, huge) never reaches a sleep as is.

``asyncio.sleep(nan)`` corrupts the loop's timer heap; a value that is not a finite,
non-negative number of seconds counts as no ``Retry-After`` at all (the backoff applies),
and a huge one is capped by the policy.
"""

from __future__ import annotations

import math

import pytest

from locus.core.messages import Message
from locus.models.http import RetryPolicy
from tests.integration.conftest import OCIModelFactory
from tests.integration.http._hostile import chat_result, fixed, head, scripted

HI = [Message.user("hi")]


class Sleeps:
    """A ``RetryPolicy.sleep`` that records its waits and does not wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def throttled(retry_after: str) -> bytes:
    body = b'{"code": "TooManyRequests", "message": "slow down"}'
    return (
        head(
            429, f"Retry-After: {retry_after}", f"Content-Length: {len(body)}", "Connection: close"
        )
        + body
    )


def ok() -> bytes:
    body = chat_result("done")
    return head(200, f"Content-Length: {len(body)}", "Connection: close") + body


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999", "-5", "-0.5"])
@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_a_retry_after_that_is_not_a_usable_number_is_ignored(
    oci_model: OCIModelFactory, value: str, backend: str
) -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(base_delay=0.25, max_delay=1.0, sleep=sleeps)
    async with scripted([fixed(throttled(value)), fixed(ok())]) as server:
        model = oci_model(service_endpoint=server.url, retry_policy=policy, http_backend=backend)
        assert (await model.complete(HI)).text == "done"
    (wait,) = sleeps.waits
    assert math.isfinite(wait) and 0.25 <= wait <= 0.5, "the backoff, not the header"


async def test_a_huge_retry_after_is_capped(oci_model: OCIModelFactory) -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(max_retry_after=2.0, sleep=sleeps)
    async with scripted([fixed(throttled("1e300")), fixed(ok())]) as server:
        model = oci_model(service_endpoint=server.url, retry_policy=policy)
        assert (await model.complete(HI)).text == "done"
    assert sleeps.waits == [2.0]
