"""The direct path of the httpx backend: one attempt without ``httpx.AsyncClient.send``.

``AsyncClient.send`` runs each attempt through its auth, redirect and single-request
layers: generators, an exception-mapping context per layer, a response stream bound to
the response, cookie extraction and a timer. On a model's own client none of it does
anything Locus wants (no hooks, no client auth, redirects refused, no cookies kept), so
when ``ModelClient.direct_core`` says the client is in that state, the attempt's request
goes through the auth flow exactly as httpx drives it (signed, sent; after a 401 the flow
may re-sign once, the 401's body read first so its connection is reused) straight to the
client's ``HttpcoreTransport``. The answer is the transport's ``httpx.Response`` with its
``request`` set; a 3xx gets its ``next_request`` (httpx's own redirect request, or its
error for a bad ``Location``) as ``send`` gives it; httpx's ``HTTP Request:`` log line is
written when that logger is on. Anything else (hooks, a client auth, ``follow_redirects``,
credentials in the URL, proxies) goes through ``AsyncClient.send`` as before.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httpx

from locus.models.http._client import ModelClient

if TYPE_CHECKING:  # (imported by the client that has one: ModelClient)
    from locus.models.http._httpcore_transport import HttpcoreTransport

__all__ = ["send_httpx"]

_httpx_logger = logging.getLogger("httpx")


async def send_httpx(
    client: httpx.AsyncClient, request: httpx.Request, auth: httpx.Auth | None
) -> httpx.Response:
    """``client.send(request, auth=auth, stream=True)``, directly where it can be."""
    if isinstance(client, ModelClient) and (core := client.direct_core(request, auth)):
        return await _open_core(client, core, request, auth)
    return await client.send(request, auth=auth or httpx.USE_CLIENT_DEFAULT, stream=True)


async def _open_core(
    client: ModelClient,
    core: HttpcoreTransport,
    request: httpx.Request,
    auth: httpx.Auth | None,
) -> httpx.Response:
    """The answer to ``request`` (signed by ``auth``) as ``client.send(..., stream=True)``
    gives it: status and headers, the body unread."""
    if auth is None:
        return await _send_one(client, core, request)
    flow = auth.async_auth_flow(request)
    history: list[httpx.Response] = []
    try:
        request = await anext(flow)
        while True:
            response = await _send_one(client, core, request)
            if history:
                response.history = list(history)
            try:
                try:
                    next_request = await flow.asend(response)
                except StopAsyncIteration:
                    return response
                await response.aread()
                request = next_request
                history.append(response)
            except BaseException:
                await response.aclose()
                raise
    finally:
        await flow.aclose()


async def _send_one(
    client: ModelClient, core: HttpcoreTransport, request: httpx.Request
) -> httpx.Response:
    try:
        response = await core.handle_async_request(request)
    except httpx.RequestError as exc:  # (what httpx's request_context does)
        exc.request = request
        raise
    response.request = request
    if response.has_redirect_location:
        try:
            response.next_request = client.redirect_request(request, response)
        except BaseException:
            await response.aclose()
            raise
    if _httpx_logger.isEnabledFor(logging.INFO):
        _httpx_logger.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )
    return response
