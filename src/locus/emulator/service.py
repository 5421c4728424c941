"""Everything a request handler needs, in one object shared by the routes."""

from __future__ import annotations

import hmac
import itertools
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from locus.emulator.auth.principals import Principals
from locus.emulator.catalogue import Catalogue
from locus.emulator.engine import Engine
from locus.emulator.errors import ApiError, cannot_parse, not_authenticated
from locus.emulator.faults import Faults
from locus.emulator.knobs import Knobs
from locus.emulator.responses import Aborter
from locus.emulator.signature import KeyRing, SignatureError, Verifier

__all__ = ["Service"]


def _no_abort(scope: Any) -> bool:
    return False


@dataclass(slots=True)
class Service:
    """Catalogue, credentials, engine and run-time switches of one emulator."""

    catalogue: Catalogue
    keys: KeyRing
    verifier: Verifier
    engine: Engine
    region: str
    compartment_id: str
    api_key: str = field(repr=False)
    knobs: Knobs = field(default_factory=Knobs)
    faults: Faults = field(default_factory=Faults)
    abort: Aborter = _no_abort
    base_latency: float = 0.0
    principals: Principals | None = None
    _prefix: str = field(default_factory=lambda: secrets.token_hex(10).upper())
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def reset(self) -> None:
        """Clear every fault and restore the start-up settings."""
        self.faults.clear()
        self.knobs.update({**Knobs().describe(), "latency": self.base_latency})

    def request_id(self, request: Request) -> str:
        """A fresh ``opc-request-id``, prefixed by the client's own id when it sent one."""
        ours = f"{self._prefix}{next(self._counter):012X}"
        theirs = request.headers.get("opc-request-id")
        return f"{theirs}/{ours}" if theirs else ours

    def authenticate(self, request: Request, body: bytes, allow_bearer: bool = False) -> None:
        """Check the OCI signature (or, where allowed, the bearer API key); 401 if wrong."""
        headers = request.headers
        authorization = headers.get("authorization", "")
        if allow_bearer and authorization.startswith("Bearer "):
            if not hmac.compare_digest(authorization[7:].strip(), self.api_key):
                raise not_authenticated("The API key is not valid")
            return
        scope = request.scope
        target = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        # one dict (first value of a repeated name, as Starlette reads it) instead of a
        # scan of the header list for each of the dozen lookups a check makes
        lookup = dict(reversed(headers.items()))
        try:
            self.verifier.verify(request.method, target, lookup, body)
        except SignatureError as exc:
            raise not_authenticated(str(exc)) from exc


def parse_body(body: bytes) -> Mapping[str, Any]:
    """The request body as a JSON object; 400 CannotParseRequest if it is not one."""
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise cannot_parse("the body is not valid JSON") from exc
    if not isinstance(parsed, dict):
        raise cannot_parse("the body must be a JSON object")
    return parsed


def fault_error(kind: str) -> ApiError | None:
    """The HTTP error a fault kind answers with, if it is an HTTP error."""
    if kind == "429":
        return ApiError(429, "TooManyRequests", "Too many requests for the user")
    if kind == "429_retry_after":
        return ApiError(
            429, "TooManyRequests", "Too many requests for the user", {"retry-after": "1"}
        )
    if kind == "500":
        return ApiError(500, "InternalServerError", "Internal error occurred")
    if kind == "503":
        return ApiError(503, "ServiceUnavailable", "Service unavailable")
    return None
