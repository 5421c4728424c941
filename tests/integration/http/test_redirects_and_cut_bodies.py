"""A 3xx is an error naming the redirect (never followed, the signed request never
forwarded); a body cut short says so, on both HTTP backends."""

from __future__ import annotations

import pytest

from locus.core.errors import APIStatusError, ConnectError
from locus.core.messages import Message
from locus.models.http import RetryPolicy
from tests.integration.conftest import OCIModelFactory
from tests.integration.http._hostile import chat_result, fixed, head, scripted

HI = [Message.user("hi")]
BACKENDS = ["httpx", "aiohttp"]


async def no_sleep(seconds: float) -> None:
    """Retry waits are not waited for."""


def redirect(status: int, location: str) -> bytes:
    return head(status, f"Location: {location}", "Content-Length: 0", "Connection: close")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("stream", [False, True])
async def test_a_redirect_is_an_error_that_names_it(
    oci_model: OCIModelFactory, backend: str, status: int, stream: bool
) -> None:
    async with scripted([fixed(chat_result())]) as elsewhere:
        target = f"{elsewhere.url}/steal?x=1"
        async with scripted([fixed(redirect(status, target))]) as server:
            model = oci_model(service_endpoint=server.url, http_backend=backend)
            with pytest.raises(APIStatusError) as info:
                if stream:
                    async for _ in model.stream(HI):
                        pass
                else:
                    await model.complete(HI)
        assert elsewhere.connections == 0, "a redirect is never followed"
    assert server.connections == 1, "not retried"
    error = info.value
    assert error.status == status
    assert f"HTTP {status}" in str(error) and target in str(error)
    assert "redirects are not followed" in str(error)
    assert "malformed" not in str(error)


def cut_chunked() -> bytes:
    body = chat_result()
    chunk = f"{len(body):x}\r\n".encode() + body[:40]  # announces the whole body, sends 40 bytes
    return head(200, "Transfer-Encoding: chunked", "Content-Type: application/json") + chunk


def cut_sized() -> bytes:
    body = chat_result()
    return head(200, f"Content-Length: {len(body)}", "Content-Type: application/json") + body[:40]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("answer", [cut_chunked, cut_sized])
async def test_a_body_cut_short_says_so(
    oci_model: OCIModelFactory, backend: str, answer: object
) -> None:
    assert callable(answer)
    async with scripted([fixed(answer())]) as server:
        policy = RetryPolicy(max_retries=1, sleep=no_sleep)
        model = oci_model(service_endpoint=server.url, http_backend=backend, retry_policy=policy)
        with pytest.raises(ConnectError, match="was cut short") as info:
            await model.complete(HI)
    assert server.connections == 2, "retried once, like any broken connection"
    assert "connection failed" not in str(info.value)
