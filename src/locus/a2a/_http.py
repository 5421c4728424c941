"""HTTP for the A2A client: the request headers, and each HTTP or network failure as a
typed error that names the URL (never the token)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from locus.core.errors import (
    APIStatusError,
    ConnectError,
    ModelTimeoutError,
    ResponseError,
    status_error_class,
)

__all__ = ["VERSION", "headers_for", "is_rpc_error", "json_of", "network_error", "status_error"]

VERSION = "1.0"
"""The A2A version this client declares (the ``A2A-Version`` header)."""


def headers_for(
    headers: Mapping[str, str], token: str | None, *, stream: bool = False
) -> dict[str, str]:
    """The headers of a call: the caller's, the bearer token, the protocol version."""
    found = {"A2A-Version": VERSION, **headers}
    if token:
        found["Authorization"] = f"Bearer {token}"
    if stream:
        found["Accept"] = "text/event-stream"
    return found


def network_error(exc: httpx.TransportError, url: str, timeout: float) -> Exception:
    """A failure to get an answer from ``url`` as Locus's error for it."""
    if isinstance(exc, httpx.TimeoutException):
        return ModelTimeoutError(
            f"the remote agent at {url} did not answer within {timeout} s "
            f"({type(exc).__name__}); pass a larger timeout= if its tasks take longer",
            endpoint=url,
        )
    return ConnectError(
        f"cannot reach the remote agent at {url}: {type(exc).__name__}: {exc}",
        endpoint=url,
        hint="check the URL and that the agent's server is running and reachable from here",
    )


def status_error(response: httpx.Response, url: str, *, token: bool) -> APIStatusError:
    """An HTTP error answer as the ``APIStatusError`` for its status."""
    code = response.status_code
    body = _body(response)
    said = _said(body)
    text = f"the remote agent at {url} answered HTTP {code}" + (f": {said}" if said else "")
    hint = None
    if code == 401:
        hint = (
            "the token sent was refused: check RemoteAgent(token=...)"
            if token
            else "the agent needs credentials: pass RemoteAgent(url, token=...) (sent as "
            "'Authorization: Bearer <token>'), or headers={...}"
        )
    elif code == 403:
        hint = "the credentials were accepted but do not allow this agent"
    elif code == 404:
        hint = "check the URL: pass the agent's base URL or its card's URL"
    return status_error_class(code)(text, status=code, endpoint=url, body=body, hint=hint)


def json_of(response: httpx.Response, url: str) -> Any:
    """The JSON body of a success answer; ``ResponseError`` when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        raise ResponseError(
            f"the answer of {url} (HTTP {response.status_code}, "
            f"{response.headers.get('content-type', 'no content type')}) is not JSON: "
            "is this an A2A agent?",
            endpoint=url,
        ) from None


def is_rpc_error(response: httpx.Response) -> bool:
    """Whether an HTTP error answer carries a JSON-RPC error (a server shutting down, a
    body refused as not JSON), not a plain HTTP error body."""
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, dict) or body.get("jsonrpc") != "2.0":
        return False
    error = body.get("error")
    return isinstance(error, dict) and isinstance(error.get("code"), int)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def _said(body: Any) -> str:
    """The error message an error body carries, if it has one."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])[:300]
        if isinstance(body.get("detail"), str):
            return str(body["detail"])[:300]
        return ""
    return body.strip()[:300] if isinstance(body, str) else ""
