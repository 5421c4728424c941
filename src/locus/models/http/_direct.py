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

import asyncio
import contextvars
import functools
import math
from collections.abc import Coroutine
from typing import cast

import httpx

from locus.models.http._aiohttp_errors import mapped_error, raise_mapped
from locus.models.http._answer import AiohttpAnswer
from locus.models.http._client import ModelClient
from locus.models.http._plain import PlainAuth, PlainRequest
from locus.models.http.aiohttp_transport import AiohttpTransport

__all__ = ["attempt", "direct_transport", "open_direct"]

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


def attempt(
    transport: AiohttpTransport,
    request: httpx.Request | PlainRequest,
    auth: httpx.Auth | PlainAuth | None,
    deadline: float,
) -> Coroutine[None, None, AiohttpAnswer | httpx.HTTPError | None]:
    """One attempt, to await: the answer's head (its body unread), the failure, or
    ``None`` when ``deadline`` passed first.

    A ``PlainRequest`` is signed in place by ``auth`` (a ``PlainAuth``), and signed again
    once after a 401 that fresh credentials may fix; an ``httpx.Request`` goes through the
    auth's flow (``open_direct``). The plain path awaits aiohttp in its coroutine itself:
    while the model thinks, no other coroutine of ours waits between the send loop and
    aiohttp (a few hundred bytes per call in flight).
    """
    if isinstance(request, PlainRequest):
        return _plain_attempt(transport, request, cast("PlainAuth | None", auth), deadline)
    return _flow_attempt(transport, request, cast("httpx.Auth | None", auth), deadline)


async def _flow_attempt(
    transport: AiohttpTransport, request: httpx.Request, auth: httpx.Auth | None, deadline: float
) -> AiohttpAnswer | httpx.HTTPError | None:
    timer = asyncio.timeout_at(None if deadline == math.inf else deadline)
    try:
        async with timer:
            return await open_direct(transport, request, auth, deadline)
    except httpx.HTTPError as exc:
        return exc
    except TimeoutError:
        if timer.expired():
            return None
        raise


async def _plain_attempt(
    transport: AiohttpTransport, request: PlainRequest, signer: PlainAuth | None, deadline: float
) -> AiohttpAnswer | httpx.HTTPError | None:
    # no httpcore below: a loop timer that cancels this task, as asyncio.timeout_at would,
    # but without its Timeout, context copy and bound methods (held while the model thinks)
    task, timer, cancelling = _start_timer(deadline)
    try:
        if signer is not None:
            await signer.sign_plain(request)
        try:
            response = await transport.plain_request(request)
        except Exception as exc:  # (CancelledError is a BaseException: it passes)
            raise_mapped(exc, sending=True)
        finally:
            if signer is not None:
                signer.plain_answered()
        answer = AiohttpAnswer(response, deadline, _read_error)
        if signer is None or answer.status_code != 401:
            return answer
        return await _after_401(transport, request, signer, answer)
    except httpx.HTTPError as exc:
        return exc
    except asyncio.CancelledError:
        if task is not None and _expired(task, cancelling):
            return None  # the deadline's cancellation, and no other: the attempt timed out
        raise
    finally:
        if timer is not None:
            timer.cancel()
            if task in _EXPIRED:  # it fired, and what it cancelled never came here: undo it
                _expired(task, cancelling)


def _start_timer(
    deadline: float,
) -> tuple[asyncio.Task[object] | None, asyncio.TimerHandle | None, int]:
    """The current task, a timer that cancels it at ``deadline`` (none for ``inf``), and
    the task's count of cancellations asked before."""
    if deadline == math.inf:
        return None, None, 0
    task = asyncio.current_task()
    assert task is not None  # (always awaited in a task)
    timer = asyncio.get_running_loop().call_at(deadline, _expire, task, context=_TIMER_CONTEXT)
    return task, timer, task.cancelling()


_TIMER_CONTEXT = contextvars.Context()
"""The context the attempts' timers run in (``call_at`` copies the caller's otherwise)."""

_EXPIRED: set[asyncio.Task[object]] = set()
"""Tasks an attempt's timer cancelled, until the attempt sees it."""


def _expire(task: asyncio.Task[object]) -> None:
    _EXPIRED.add(task)
    task.cancel()


def _expired(task: asyncio.Task[object], cancelling: int) -> bool:
    """Whether ``task``'s timer fired (its cancellation withdrawn), with no other
    cancellation asked since the attempt began (``asyncio.timeout``'s rule)."""
    if task not in _EXPIRED:
        return False
    _EXPIRED.discard(task)
    return task.uncancel() <= cancelling


async def _after_401(
    transport: AiohttpTransport, request: PlainRequest, auth: PlainAuth, answer: AiohttpAnswer
) -> AiohttpAnswer:
    """The answer to ``request`` after a 401 ``answer``: a second attempt's when ``auth``
    signed it again (fresh credentials may fix it), else ``answer`` itself."""
    try:
        again = await auth.resign_plain(request, answer)
    except BaseException:
        answer.close_now()  # never leave a connection behind (also when cancelled)
        raise
    if not again:
        return answer
    answer.close_now()  # the request was signed again: this answer is spent
    return AiohttpAnswer(await transport.open_plain(request), answer.deadline, _read_error)
