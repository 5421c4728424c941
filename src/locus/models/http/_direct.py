"""The direct path of the aiohttp backend: one attempt without ``httpx.AsyncClient.send``.

``AsyncClient.send`` wraps each attempt in its auth, redirect and single-request layers and
an ``httpx.Response`` around the transport's answer (some 3 KiB and tens of microseconds a
call). Here the attempt's request goes through the connection's auth flow (signing; a 401
handed back so session tokens and principals refresh and re-sign once), straight to the
shared aiohttp session, and comes back as an ``AiohttpAnswer``. What the client would add
is not wanted on this path: redirects are never followed (``_send`` turns a 3xx into an
error), the model's client keeps no cookies, and ``Content-Encoding`` is decoded by aiohttp.

An auth flow is given the answer only when it is a 401 (the only status our flows act on);
otherwise it is closed at that point, which ends it as its own ``return`` would.
"""

from __future__ import annotations

import functools

import httpx

from locus.models.http._answer import AiohttpAnswer
from locus.models.http._client import ModelClient
from locus.models.http._plain import PlainAuth, PlainRequest
from locus.models.http.aiohttp_transport import AiohttpTransport, mapped_error

__all__ = ["direct_transport", "open_direct", "open_plain"]

_read_error = functools.partial(mapped_error, sending=False)


def direct_transport(client: httpx.AsyncClient) -> AiohttpTransport | None:
    """The aiohttp transport under ``client`` when the direct path can take its requests."""
    if isinstance(client, ModelClient) and not client.is_closed:
        return client.direct
    return None


async def open_direct(
    transport: AiohttpTransport,
    request: httpx.Request,
    auth: httpx.Auth | None,
    deadline: float,
) -> AiohttpAnswer:
    """The answer's head for ``request`` (signed by ``auth``); its body unread."""
    if auth is None:
        return AiohttpAnswer(await transport.open(request, decompress=True), deadline, _read_error)
    flow = auth.async_auth_flow(request)
    answer: AiohttpAnswer | None = None
    try:
        request = await anext(flow)
        while True:
            answer = AiohttpAnswer(
                await transport.open(request, decompress=True), deadline, _read_error
            )
            if answer.status_code != 401:
                break
            try:
                request = await flow.asend(answer.head_response(request))
            except StopAsyncIteration:
                break
            answer.close_now()  # the flow signed a new attempt: this answer is spent
            answer = None
        await flow.aclose()  # (ends the flow as its own return would)
    except BaseException:
        if answer is not None:
            answer.close_now()  # never leave a connection behind (also when cancelled)
        await flow.aclose()
        raise
    assert answer is not None  # (the loop leaves only with one)
    return answer


async def open_plain(
    transport: AiohttpTransport, request: PlainRequest, auth: PlainAuth | None, deadline: float
) -> AiohttpAnswer:
    """``open_direct`` for a ``PlainRequest``, signed in place by ``auth`` (and signed again
    once after a 401 that fresh credentials may fix)."""
    if auth is not None:
        await auth.sign_plain(request)
        try:
            answer = AiohttpAnswer(await transport.open_plain(request), deadline, _read_error)
        finally:
            auth.plain_answered()
        if answer.status_code != 401:
            return answer
        try:
            again = await auth.resign_plain(request, answer)
        except BaseException:
            answer.close_now()  # never leave a connection behind (also when cancelled)
            raise
        if not again:
            return answer
        answer.close_now()  # the request was signed again: this answer is spent
    return AiohttpAnswer(await transport.open_plain(request), deadline, _read_error)
