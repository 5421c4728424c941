"""Send one logical request with retries; the answer comes back open for streaming.

Each attempt is a fresh request from ``make_request`` (new ``opc-request-id``; the auth
flow signs it anew). Error answers are read, closed and turned into typed errors by
``to_error``; retryable ones are retried within the ``RetryBudget``. Answers are
``Answer``s (``locus.models.http._answer``): on the aiohttp backend an attempt goes the
direct path (``_direct``); on the httpx backend a model's own client takes it straight to
its httpcore transport (``_httpx_direct``), any other client through ``AsyncClient.send``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import cast

import anyio
import httpx

from locus.core.errors import APIStatusError, ModelTimeoutError, ResponseError, TransportError
from locus.models.http._answer import Answer, HttpxAnswer
from locus.models.http._client import ModelClient
from locus.models.http._direct import attempt, direct_transport
from locus.models.http._errors import (
    ErrorDetails,
    is_retryable_transport,
    status_error,
    transport_error,
)
from locus.models.http._httpcore_plain import open_core_plain
from locus.models.http._httpx_direct import send_httpx
from locus.models.http._limits import MIB, AnswerLimits
from locus.models.http._plain import PlainAuth, PlainRequest
from locus.models.http._retry import RetryBudget, is_retryable_status

__all__ = ["close_response", "read_body", "send"]

_MAX_LOCATION = 300
_MAX_ERROR_BODY = 1024 * 1024

logger = logging.getLogger("locus.models.http")

ErrorFactory = Callable[[ErrorDetails], APIStatusError]


async def send(
    client: httpx.AsyncClient,
    make_request: Callable[[], httpx.Request | PlainRequest],
    *,
    auth: httpx.Auth | None,
    budget: RetryBudget,
    to_error: ErrorFactory,
    endpoint: str,
    limits: AnswerLimits,
) -> Answer:
    """The first 2xx answer, unread (the caller reads or streams it, then closes it).

    A 3xx is an error naming its ``Location``: redirects are never followed, so a signed
    request (and its ``Authorization``) never goes anywhere but ``endpoint``.
    """
    while True:
        request = make_request()
        deadline = limits.deadline()
        response = await _attempt(client, request, auth, deadline)
        if response is None:
            await _retry_or_raise(budget, _attempt_timeout(endpoint, limits, "an answer"))
            continue
        if isinstance(response, httpx.HTTPError):
            await _retry_or_raise(budget, transport_error(response, endpoint), response)
            continue
        if response.status_code < 300:
            _log(request, response, budget)
            return response
        if response.status_code < 400:
            _log(request, response, budget)
            raise await _redirect_error(response, endpoint)
        error = await _read_error(response, to_error, endpoint)
        _log(request, response, budget)
        delay = _retry_delay(budget, error)
        if delay is None:
            raise error
        await budget.wait(delay)


def _attempt(
    client: httpx.AsyncClient,
    request: httpx.Request | PlainRequest,
    auth: httpx.Auth | None,
    deadline: float,
) -> Coroutine[None, None, Answer | httpx.HTTPError | None]:
    """One attempt, to await: the answer's head, the failure, or ``None`` when the deadline
    passed first (a plain function handing over the backend's coroutine: one coroutine
    less per call in flight).

    A ``PlainRequest`` (made only when the client is on the direct path and ``auth`` signs
    plain requests: ``_chat``) goes the direct path without httpx objects."""
    direct = direct_transport(client)
    if direct is not None:
        return attempt(direct, request, auth, deadline)
    if isinstance(request, PlainRequest):
        return _attempt_plain(client, request, cast("PlainAuth | None", auth), deadline)
    return _attempt_httpx(client, request, auth, deadline)


async def _attempt_httpx(
    client: httpx.AsyncClient, request: httpx.Request, auth: httpx.Auth | None, deadline: float
) -> Answer | httpx.HTTPError | None:
    """``_attempt`` on the httpx backend (``_httpx_direct``, or ``AsyncClient.send``)."""
    with anyio.CancelScope(deadline=deadline):
        try:
            return HttpxAnswer(await send_httpx(client, request, auth), deadline)
        except httpx.HTTPError as exc:
            return exc
    return None


async def _attempt_plain(
    client: httpx.AsyncClient, request: PlainRequest, auth: PlainAuth | None, deadline: float
) -> Answer | httpx.HTTPError | None:
    """``_attempt`` for a ``PlainRequest`` on the httpx backend (``_httpcore_plain``)."""
    core = client.plain_core() if isinstance(client, ModelClient) else None
    if core is None:  # (the client was closed, or changed, since the request was made)
        raise RuntimeError(
            "a PlainRequest needs a direct path (aiohttp, or a model's httpx client)"
        )
    with anyio.CancelScope(deadline=deadline):
        try:
            return await open_core_plain(core, request, auth, client.timeout, deadline)
        except httpx.HTTPError as exc:
            return exc
    return None


async def close_response(response: Answer) -> None:
    """Close ``response`` (its connection goes back to the pool after a full read)."""
    await response.aclose()


async def read_body(
    response: Answer, budget: RetryBudget, endpoint: str, limits: AnswerLimits
) -> bytes | None:
    """The whole (decoded) body within the attempt's deadline and ``limits.response_bytes``,
    or ``None`` when reading broke or ran out of time and a retry is allowed."""
    try:
        with anyio.CancelScope(deadline=response.deadline):
            return await _read_capped(response, limits.response_bytes, endpoint)
        error = _attempt_timeout(endpoint, limits, "the whole answer")
        await _retry_or_raise(budget, error)
        return None
    except httpx.HTTPError as exc:
        await _retry_or_raise(budget, transport_error(exc, endpoint, in_body=True), exc)
        return None
    finally:
        await close_response(response)


async def _read_capped(response: Answer, limit: int, endpoint: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit and _identity(response):
        raise _too_large(endpoint, limit)
    chunks: list[bytes] = []
    size = 0
    while chunk := await response.read_chunk():
        size += len(chunk)
        if size > limit:
            raise _too_large(endpoint, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _identity(response: Answer) -> bool:
    encoding = response.headers.get("content-encoding", "identity")
    return encoding.strip().lower() in ("", "identity")


def _too_large(endpoint: str, limit: int) -> ResponseError:
    return ResponseError(
        f"the answer from {endpoint} is larger than max_response_bytes={limit} "
        f"({limit / MIB:g} MiB, decoded); pass a larger max_response_bytes= to the model "
        "if it is expected",
        endpoint=endpoint,
    )


def _attempt_timeout(endpoint: str, limits: AnswerLimits, what: str) -> ModelTimeoutError:
    return ModelTimeoutError(
        f"request timed out: {what} from {endpoint} did not arrive within the attempt's "
        f"{limits.attempt:g} s (timeout=)",
        endpoint=endpoint,
    )


async def _redirect_error(response: Answer, endpoint: str) -> APIStatusError:
    await close_response(response)  # its body is not read: nothing in it is wanted
    location = response.headers.get("location")
    where = f"to {location[:_MAX_LOCATION]!r}" if location else "with no Location"
    details = ErrorDetails.read(response, b"")
    message = f"redirected {where}; redirects are not followed"
    return status_error(
        replace(details, message=message),
        endpoint=endpoint,
        hint="check the service endpoint (scheme, host and path): a redirect usually means "
        "a wrong or outdated URL, or a proxy in the way",
    )


async def _retry_or_raise(
    budget: RetryBudget, error: TransportError, exc: httpx.HTTPError | None = None
) -> None:
    """Wait for the next attempt, or raise ``error`` when none is allowed."""
    retryable = exc is None or is_retryable_transport(exc)
    delay = budget.next_delay() if retryable else None
    logger.debug("attempt failed: %s (retry in %s s)", type(exc or error).__name__, delay)
    if delay is None:
        raise error from exc
    await budget.wait(delay)


async def _read_error(response: Answer, to_error: ErrorFactory, endpoint: str) -> APIStatusError:
    content = b""
    try:  # what arrives of it within the attempt's deadline, at most _MAX_ERROR_BODY
        with anyio.CancelScope(deadline=response.deadline):
            while chunk := await response.read_chunk():
                content += chunk
                if len(content) > _MAX_ERROR_BODY:
                    break
    except httpx.HTTPError:
        pass
    finally:
        await close_response(response)
    return to_error(ErrorDetails.read(response, content[:_MAX_ERROR_BODY]))


def _retry_delay(budget: RetryBudget, error: APIStatusError) -> float | None:
    if not is_retryable_status(error.status, error.code):
        return None
    return budget.next_delay(error.retry_after)


def _log(request: httpx.Request | PlainRequest, response: Answer, budget: RetryBudget) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    logger.debug(
        "%s %s -> %s (opc-request-id %s, retry %d)",
        request.method,
        request.url.copy_with(query=None),
        response.status_code,
        response.headers.get("opc-request-id"),
        budget.retries,
    )
