"""The defaults that scale: aiohttp, a pool sized from the open-file limit, one SSL context."""

from __future__ import annotations

import ssl
import sys

import httpx
import pytest

from locus.core.errors import ConfigurationError
from locus.models.http._settings import ModelSettings, default_max_connections
from locus.models.http._tls import shared_ssl_context
from locus.models.http.aiohttp_transport import AiohttpTransport
from locus.models.openai_compatible import OpenAICompatibleModel

URL = "http://127.0.0.1:9/v1"


def _settings(**options: object) -> ModelSettings:
    return ModelSettings.parse("M", options, set(options), tool_call_format=None)


def test_aiohttp_is_the_default_backend() -> None:
    assert _settings().backend == "aiohttp"
    assert _settings(http_backend="httpx").backend == "httpx"
    assert _settings(transport=httpx.AsyncHTTPTransport()).backend == "httpx"


def test_the_default_pool_follows_the_open_file_limit() -> None:
    cap = default_max_connections()
    assert 16 <= cap <= 4096
    if sys.platform != "win32":
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft != resource.RLIM_INFINITY:
            assert cap == max(16, min(4096, soft // 2))
    limits = _settings().limits
    assert limits.max_connections == cap and limits.max_keepalive_connections == 20
    assert _settings(max_connections=None).limits.max_connections == cap


def test_an_explicit_pool_size_is_kept() -> None:
    limits = _settings(max_connections=7, max_keepalive_connections=3).limits
    assert (limits.max_connections, limits.max_keepalive_connections) == (7, 3)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "10", True])
def test_bad_pool_sizes_are_refused(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="max_connections"):
        _settings(max_connections=bad)


def test_one_ssl_context_per_process() -> None:
    first = shared_ssl_context()
    assert isinstance(first, ssl.SSLContext) and first.verify_mode == ssl.CERT_REQUIRED
    assert shared_ssl_context() is first


def test_the_aiohttp_transport_builds_no_ssl_context_for_http() -> None:
    transport = AiohttpTransport(trust_env=False)
    assert transport._ssl_for(httpx.URL("http://example.com/")) is True
    assert transport._ssl is None
    context = transport._ssl_for(httpx.URL("https://example.com/"))
    assert context is shared_ssl_context(trust_env=False)
    assert AiohttpTransport(trust_env=False)._ssl_for(httpx.URL("https://x/")) is context


async def test_httpx_clients_share_the_ssl_context() -> None:
    models = [
        OpenAICompatibleModel("m", base_url=URL, api_key="k", http_backend="httpx")
        for _ in range(2)
    ]
    try:
        contexts = []
        for model in models:
            client = await model._clients.get()
            pool = client._transport._pool  # type: ignore[attr-defined]
            contexts.append(pool._ssl_context)
        assert contexts[0] is contexts[1] is shared_ssl_context()
    finally:
        for model in models:
            await model.aclose()
