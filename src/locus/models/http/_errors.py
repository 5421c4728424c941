"""Foreign failures become Locus errors here, and only here.

``transport_error`` maps httpx exceptions (``raise ... from exc``); ``ErrorDetails``
reads an HTTP error answer: OCI ``{"code","message"}``, OpenAI ``{"error":{...}}``,
or plain text, plus ``opc-request-id`` and ``Retry-After``.
"""

from __future__ import annotations

import math
import socket
import ssl
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from locus.core.errors import (
    APIStatusError,
    ConnectError,
    ModelTimeoutError,
    StreamError,
    TransportError,
    status_error_class,
)
from locus.models._wire.json_text import ServerJSONError, decode_utf8, loads_server_json
from locus.models.http._answer import AnswerHead

__all__ = [
    "ErrorDetails",
    "is_retryable_transport",
    "parse_retry_after",
    "status_error",
    "stream_error",
    "transport_error",
]

_MAX_MESSAGE = 500


def transport_error(
    exc: httpx.HTTPError, endpoint: str, *, in_body: bool = False
) -> TransportError:
    """The Locus error for an httpx failure that left no whole HTTP answer (``in_body``:
    the status and headers had arrived, the body broke off)."""
    kind = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        text = f"request timed out ({kind}) calling {endpoint}"
        return ModelTimeoutError(text, endpoint=endpoint)
    if in_body:
        text = (
            f"the answer from {endpoint} was cut short: the connection ended before its "
            f"whole body arrived ({kind}: {exc})"
        )
        return ConnectError(text, endpoint=endpoint)
    return ConnectError(
        f"connection failed ({kind}: {exc}) calling {endpoint}",
        endpoint=endpoint,
        hint=_connection_hint(exc, endpoint),
    )


_WHERE_FROM = (
    "check the host and port, and that this machine can reach them (network, VPN, firewall, "
    "HTTPS_PROXY/NO_PROXY); an OCI model's endpoint comes from its region (or its DAC "
    "endpoint OCID's) unless service_endpoint= gives it"
)


def _connection_hint(exc: httpx.HTTPError, endpoint: str) -> str | None:
    """What to check when no connection could be made (the cause read from the chain of
    ``exc``: DNS, refused, TLS); ``None`` for the other failures."""
    if isinstance(exc, httpx.ProxyError):
        return (
            "the proxy failed or refused the connection: check HTTPS_PROXY / ALL_PROXY, "
            "and NO_PROXY for hosts to reach directly"
        )
    if not isinstance(exc, httpx.ConnectError):
        return None
    where = _host_and_port(endpoint)
    cause = _os_cause(exc)
    if isinstance(cause, socket.gaierror):
        host = where.rsplit(":", 1)[0]
        return f"the host name {host} could not be resolved (DNS): {_WHERE_FROM}"
    if isinstance(cause, ssl.SSLCertVerificationError):
        return (
            f"the certificate of {where} could not be verified: check the host name; a proxy "
            "that inspects TLS needs its CA certificate in SSL_CERT_FILE"
        )
    if isinstance(cause, ssl.SSLError):
        return (
            f"the TLS handshake with {where} failed: check that the port speaks TLS "
            "(https:// or http:// in the endpoint); " + _WHERE_FROM
        )
    if isinstance(cause, ConnectionRefusedError):
        return f"nothing accepted the connection at {where}: {_WHERE_FROM}"
    return f"no connection could be made to {where}: {_WHERE_FROM}"


def _host_and_port(endpoint: str) -> str:
    try:
        url = httpx.URL(endpoint)
    except httpx.InvalidURL:
        return endpoint
    port = url.port or {"https": 443, "http": 80}.get(url.scheme)
    return f"{url.host}:{port}" if port else url.host or endpoint


def _os_cause(exc: BaseException) -> BaseException | None:
    """The first DNS, TLS or refused-connection error among the causes of ``exc``."""
    seen = 0
    cause = exc.__cause__ or exc.__context__
    while cause is not None and seen < 10:
        if isinstance(cause, socket.gaierror | ssl.SSLError | ConnectionRefusedError):
            return cause
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return None


def stream_error(exc: httpx.HTTPError, endpoint: str) -> StreamError:
    """The Locus error for a stream whose connection broke after it started."""
    return StreamError(
        f"the stream from {endpoint} broke ({type(exc).__name__}: {exc})", endpoint=endpoint
    )


def is_retryable_transport(exc: BaseException) -> bool:
    """True for connection failures and timeouts (not for bad URLs or protocols)."""
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        return False
    return isinstance(exc, httpx.TransportError)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date).

    A number that is not finite (``nan``, ``inf``, ``1e999``) or negative is no advice
    at all: ``None``, as if the header were absent (``asyncio.sleep(nan)`` would corrupt
    the loop's timer heap). A date in the past means now (``0.0``).
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return _retry_after_date(value)
    return seconds if math.isfinite(seconds) and seconds >= 0.0 else None


def _retry_after_date(value: str) -> float | None:
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, OverflowError):
        return None


@dataclass(frozen=True, slots=True)
class ErrorDetails:
    """What an HTTP error answer says: status, code, message, request id, body."""

    status: int
    code: str | None
    message: str
    request_id: str | None
    retry_after: float | None
    body: Any

    @classmethod
    def read(cls, response: AnswerHead, content: bytes) -> ErrorDetails:
        """Parse the error body (JSON when possible) and headers of an answer."""
        body = _json_or_text(content)
        code, message = _code_and_message(body)
        return cls(
            status=response.status_code,
            code=code,
            message=message or response.reason_phrase or "error",
            request_id=response.headers.get("opc-request-id")
            or response.headers.get("x-request-id"),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            body=body,
        )


def status_error(
    details: ErrorDetails, *, endpoint: str, hint: str | None = None, what: str = "request"
) -> APIStatusError:
    """The typed error for an HTTP error answer; its text names status, code and request id."""
    parts = [f"{what} failed: HTTP {details.status}"]
    if details.code:
        parts.append(f"{details.code}")
    text = " ".join(parts) + f": {details.message[:_MAX_MESSAGE]}"
    text += f" (endpoint {endpoint}"
    text += f", opc-request-id {details.request_id})" if details.request_id else ")"
    return status_error_class(details.status)(
        text,
        status=details.status,
        code=details.code,
        request_id=details.request_id,
        endpoint=endpoint,
        body=details.body,
        hint=hint,
        retry_after=details.retry_after,
    )


def _json_or_text(content: bytes) -> Any:
    """The error body as JSON, else as text (also when nested too deeply to decode)."""
    text = decode_utf8(content)
    try:
        return loads_server_json(text)
    except ServerJSONError:
        return text


def _code_and_message(body: Any) -> tuple[str | None, str]:
    if not isinstance(body, dict):
        return None, str(body).strip()
    inner = body.get("error")
    if isinstance(inner, dict):
        code = inner.get("code") or inner.get("type")
        return (str(code) if code else None), str(inner.get("message") or "")
    code = body.get("code")
    return (str(code) if code else None), str(body.get("message") or inner or "")
