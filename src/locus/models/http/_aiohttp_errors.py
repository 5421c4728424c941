"""aiohttp's failures as the httpx exceptions httpcore would have raised, with texts
that leave out aiohttp's internals (``AiohttpTransport`` and the direct path raise these,
so the model's error mapping sees one kind of error whichever backend sent the request)."""

from __future__ import annotations

import errno
import re
import sys
from typing import Any, NoReturn

import httpx

__all__ = ["mapped_error", "raise_mapped"]


def raise_mapped(exc: Exception, *, sending: bool) -> NoReturn:
    """Raise the httpx exception an aiohttp failure maps to (``exc`` itself when it is no
    aiohttp failure); ``sending``: the request had not all gone out."""
    mapped = mapped_error(exc, sending=sending)
    if mapped is exc:
        raise exc
    raise mapped from exc


def mapped_error(exc: Exception, *, sending: bool = False) -> Exception:
    """The httpx exception httpcore would have raised for an aiohttp failure (``exc``
    itself when it is no aiohttp failure)."""
    aio = sys.modules.get("aiohttp")  # (an aiohttp failure means aiohttp is loaded)
    if aio is None or not isinstance(exc, aio.ClientError | TimeoutError):
        return exc
    kind = _httpx_error_class(exc, sending, aio)
    return kind(_text(exc, aio) or type(exc).__name__)


def _text(exc: Exception, aio: Any) -> str:
    """``exc``'s text without aiohttp's internals: its TLS setting, and the "400" of its
    HTTP parser's errors (no status the server sent: an answer it could not read)."""
    if type(exc) is aio.ClientResponseError and isinstance(
        exc.__cause__, aio.http_exceptions.HttpProcessingError
    ):
        # a malformed status line or header: "400, message='Bad status line...', url=..."
        found = " ".join(str(getattr(exc, "message", "")).split())
        return f"the answer's status line or headers could not be parsed: {found}"
    text = _SSL_SETTING.sub("", str(exc))
    return _PARSER_ERROR.sub(r"\g<name>: \g<message>", text)


_SSL_SETTING = re.compile(r" ssl:(?:<[^<>]*>|default|True|False|None)")
"""The TLS setting aiohttp puts in a connection error's text ("ssl:<ssl.SSLContext object
at 0x7f...>"): noise to a reader, who has the URL's scheme."""

_PARSER_ERROR = re.compile(r"<(?P<name>\w+): \d{3}, message=(?P<q>['\"])(?P<message>.*?)(?P=q)>")
"""The repr of an aiohttp HTTP-parser error in a text ("Response payload is not completed:
<TransferEncodingError: 400, message='Not enough data...'>"): its 400 is the parser's own
code, never an HTTP status, so only the error's name and message are kept."""


def _httpx_error_class(exc: Exception, sending: bool, aio: Any) -> type[httpx.TransportError]:
    """Subclasses are tested before their bases; the first match wins."""
    table: tuple[tuple[Any, type[httpx.TransportError]], ...] = (
        (aio.InvalidURL | aio.NonHttpUrlClientError, httpx.UnsupportedProtocol),
        (aio.ClientProxyConnectionError | aio.ClientHttpProxyError, httpx.ProxyError),
        (aio.ConnectionTimeoutError, httpx.ConnectTimeout),
        (TimeoutError, httpx.ReadTimeout),
        (aio.ClientConnectorError, httpx.ConnectError),
        (aio.ServerDisconnectedError, httpx.RemoteProtocolError),
        (aio.ClientPayloadError, httpx.RemoteProtocolError),
        (aio.ClientResponseError, httpx.RemoteProtocolError),
        (aio.ClientConnectionResetError, httpx.WriteError if sending else httpx.ReadError),
        (aio.ClientOSError, _os_error_class(exc, sending)),
        (aio.ClientConnectionError, httpx.ReadError),
    )
    for foreign, ours in table:
        if isinstance(exc, foreign):
            return ours
    return httpx.TransportError


def _os_error_class(exc: Exception, sending: bool) -> type[httpx.TransportError]:
    broken_pipe = getattr(exc, "errno", None) == errno.EPIPE
    return httpx.WriteError if sending and broken_pipe else httpx.ReadError
