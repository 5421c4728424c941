"""An aiohttp connection failure's text, as Locus's error shows it: the host, port and
cause, without aiohttp's TLS setting (an ``SSLContext`` repr with its memory address)."""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import httpx
from aiohttp.client_reqrep import ConnectionKey

from locus.models.http._tls import shared_ssl_context
from locus.models.http.aiohttp_transport import mapped_error


def _key(ssl_setting: ssl.SSLContext | bool) -> ConnectionKey:
    values: dict[str, Any] = {"host": "inference.example.com", "port": 443, "is_ssl": True}
    values["ssl"] = ssl_setting
    values |= {name: None for name in ConnectionKey._fields if name not in values}
    return ConnectionKey(**values)  # (its fields differ between aiohttp versions)


def test_a_refused_tls_connection_reads_without_the_context_repr() -> None:
    context = shared_ssl_context()
    assert isinstance(context, ssl.SSLContext)
    refused = ConnectionRefusedError(111, "Connect call failed ('10.0.0.9', 443)")
    failure = aiohttp.ClientConnectorError(_key(context), refused)
    assert "SSLContext object at" in str(failure)  # (what aiohttp says)
    mapped = mapped_error(failure, sending=True)
    assert isinstance(mapped, httpx.ConnectError)
    assert str(mapped) == (
        "Cannot connect to host inference.example.com:443 [Connect call failed ('10.0.0.9', 443)]"
    )


def test_the_default_tls_setting_is_left_out_too() -> None:
    failure = aiohttp.ClientConnectorError(_key(True), OSError(113, "No route to host"))
    assert str(mapped_error(failure)) == (
        "Cannot connect to host inference.example.com:443 [No route to host]"
    )
