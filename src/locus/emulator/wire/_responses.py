"""HTTP answers with the exact headers the SDKs need, and the two that break a connection.

Content types are bare (``application/json``, ``text/event-stream``): the oci SDK
compares them exactly (wire-spec §3.1, §4.2). A fault may reset the connection before
the first byte (:class:`Reset`) or halfway through a JSON body (:class:`PartialBody`).
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as _ascii
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from locus.emulator._errors import ApiError
from locus.emulator._faults import Fault

__all__ = [
    "Aborter",
    "FaultHooks",
    "PartialBody",
    "Reset",
    "dumps",
    "error_response",
    "json_response",
]

Aborter = Callable[[Scope], bool]
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class FaultHooks:
    """What a response needs to carry out a fault: reset the connection, count the fault."""

    abort: Aborter
    fired: Callable[[Fault], None]

    async def reset(self, scope: Scope) -> None:
        """Reset the connection and let the server notice before the handler returns."""
        if not self.abort(scope):
            raise ConnectionResetError("fault injection: connection reset")
        for _ in range(3):
            await asyncio.sleep(0)


_COMPACT = json.JSONEncoder(separators=(",", ":"))
# json's C encoder, made once (json.dumps makes one per call); no circular-reference
# check, as every answer is built fresh by the emulator itself
_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ENCODE: Callable[[Any, int], Iterable[str]] = (
    _MAKE_ENCODER(None, _COMPACT.default, _ascii, None, ":", ",", False, False, True)
    if _MAKE_ENCODER is not None
    else functools.partial(_COMPACT.iterencode)
)


def dumps(body: Any) -> bytes:
    """Compact JSON bytes: ``json.dumps(body, separators=(",", ":")).encode()``."""
    return "".join(_ENCODE(body, 0)).encode()


def json_response(body: Any, request_id: str, status: int = 200) -> Response:
    """A JSON answer with an ``opc-request-id``."""
    return Response(dumps(body), status, {"content-type": JSON, "opc-request-id": request_id})


def error_response(error: ApiError, request_id: str, openai: bool = False) -> Response:
    """The OCI error body for ``error`` (plus an OpenAI ``error`` object on /openai/v1)."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if openai:
        body["error"] = {"message": error.message, "type": error.code, "code": error.code}
    headers = {"content-type": JSON, "opc-request-id": request_id, **error.headers}
    return Response(dumps(body), error.status, headers)


class PartialBody(Response):
    """A JSON answer whose connection is reset halfway through the body (``reset_during``)."""

    def __init__(self, body: Any, request_id: str, hooks: FaultHooks) -> None:
        super().__init__(dumps(body), 200, {"content-type": JSON, "opc-request-id": request_id})
        self._hooks = hooks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the headers and half the body, then reset the connection."""
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        half = self.body[: len(self.body) // 2]
        await send({"type": "http.response.body", "body": half, "more_body": True})
        self._hooks.fired(Fault.RESET_DURING)
        await self._hooks.reset(scope)


class Reset(Response):
    """No answer at all: the connection is reset before the first byte (``reset_before``)."""

    def __init__(self, hooks: FaultHooks) -> None:
        super().__init__(b"", 200)
        self._hooks = hooks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reset the connection."""
        self._hooks.fired(Fault.RESET_BEFORE)
        await self._hooks.reset(scope)
