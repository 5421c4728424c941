"""Send one logical request with retries; the answer comes back open for streaming.

Each attempt is a fresh request from ``make_request`` (new ``opc-request-id``; the auth
flow signs it anew). Error answers are read, closed and turned into typed errors by
``to_error``; retryable ones are retried within the ``RetryBudget``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

import httpx

from locus.core.errors import APIStatusError
from locus.models.http._errors import (
    ErrorDetails,
    is_retryable_transport,
    status_error,
    transport_error,
)
from locus.models.http._retry import RetryBudget, is_retryable_status

__all__ = ["close_response", "read_body", "send"]

_SPENT = httpx.ByteStream(b"")
_MAX_LOCATION = 300

logger = logging.getLogger("locus.models.http")

ErrorFactory = Callable[[ErrorDetails], APIStatusError]


async def send(
    client: httpx.AsyncClient,
    make_request: Callable[[], httpx.Request],
    *,
    auth: httpx.Auth | None,
    budget: RetryBudget,
    to_error: ErrorFactory,
    endpoint: str,
) -> httpx.Response:
    """The first 2xx answer, unread (the caller reads or streams it, then closes it).

    A 3xx is an error naming its ``Location``: redirects are never followed, so a signed
    request (and its ``Authorization``) never goes anywhere but ``endpoint``.
    """
    while True:
        request = make_request()
        try:
            response = await client.send(
                request, auth=auth or httpx.USE_CLIENT_DEFAULT, stream=True
            )
        except httpx.HTTPError as exc:
            await _retry_or_raise(budget, exc, endpoint)
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


async def close_response(response: httpx.Response) -> None:
    """Close ``response`` and drop its stream.

    httpx's client wraps each answer's stream in one that points back at the answer, a
    reference cycle that only the garbage collector can free, together with everything
    the transport hangs on it (some 100 objects per call). Dropping the closed stream
    lets reference counting free it all at once, which keeps collections rare when
    hundreds of runs are in flight.
    """
    await response.aclose()
    response.stream = _SPENT


async def read_body(response: httpx.Response, budget: RetryBudget, endpoint: str) -> bytes | None:
    """The whole body, or ``None`` when reading broke and a retry is allowed."""
    try:
        return await response.aread()
    except httpx.HTTPError as exc:
        await _retry_or_raise(budget, exc, endpoint, in_body=True)
        return None
    finally:
        await close_response(response)


async def _redirect_error(response: httpx.Response, endpoint: str) -> APIStatusError:
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
    budget: RetryBudget, exc: httpx.HTTPError, endpoint: str, *, in_body: bool = False
) -> None:
    error = transport_error(exc, endpoint, in_body=in_body)
    delay = budget.next_delay() if is_retryable_transport(exc) else None
    logger.debug("attempt failed: %s (retry in %s s)", type(exc).__name__, delay)
    if delay is None:
        raise error from exc
    await budget.wait(delay)


async def _read_error(
    response: httpx.Response, to_error: ErrorFactory, endpoint: str
) -> APIStatusError:
    try:
        content = await response.aread()
    except httpx.HTTPError:
        content = b""
    finally:
        await close_response(response)
    return to_error(ErrorDetails.read(response, content))


def _retry_delay(budget: RetryBudget, error: APIStatusError) -> float | None:
    if not is_retryable_status(error.status, error.code):
        return None
    return budget.next_delay(error.retry_after)


def _log(request: httpx.Request, response: httpx.Response, budget: RetryBudget) -> None:
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
