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

from locus.emulator._catalogue import Catalogue
from locus.emulator._errors import cannot_parse, not_authenticated
from locus.emulator._faults import Faults
from locus.emulator._journal import Journal
from locus.emulator._knobs import Knobs
from locus.emulator.auth import KeyRing, Principals, SignatureError, Verifier
from locus.emulator.engines import Engine
from locus.emulator.engines._guardrails import DEFAULT_WORDS, GuardrailWords
from locus.emulator.wire import Aborter, FaultHooks

__all__ = ["Service", "parse_body"]


def _no_abort(scope: Any) -> bool:
    return False


@dataclass(slots=True)
class Service:
    """Catalogue, credentials, engine and run-time switches of one emulator.

    ``abort`` resets the connection of a request; the server sets it once it runs.
    """

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
    journal: Journal = field(default_factory=Journal)
    guardrails: GuardrailWords = DEFAULT_WORDS
    _prefix: str = field(default_factory=lambda: secrets.token_hex(10).upper())
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def hooks(self) -> FaultHooks:
        """How a response resets this server's connections and counts the faults it fires."""
        return FaultHooks(self.abort, self.faults.record)

    def reset(self) -> None:
        """Clear every fault and its count, the request journal and guardrail words, and
        restore the start-up settings."""
        self.faults.reset()
        self.journal.clear()
        self.guardrails = DEFAULT_WORDS
        self.knobs.update({**Knobs().describe(), "latency": self.base_latency})

    def request_id(self, request: Request) -> str:
        """A fresh ``opc-request-id``, prefixed by the client's own id when it sent one."""
        ours = f"{self._prefix}{next(self._counter):012X}"
        theirs = request.headers.get("opc-request-id")
        return f"{theirs}/{ours}" if theirs else ours

    def authenticate(self, request: Request, body: bytes, allow_bearer: bool = False) -> None:
        """Check the OCI signature (or, where allowed, the bearer API key); 401 if wrong."""
        authorization = request.headers.get("authorization", "")
        if allow_bearer and authorization.startswith("Bearer "):
            if not hmac.compare_digest(authorization[7:].strip(), self.api_key):
                raise not_authenticated("The API key is not valid")
            return
        # one dict (first value of a repeated name, as Starlette reads it) instead of a
        # scan of the header list for each of the dozen lookups a check makes
        lookup = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in reversed(request.scope["headers"])
        }
        try:
            self.verifier.verify(request.method, _target(request), lookup, body)
        except SignatureError as exc:
            raise not_authenticated(str(exc)) from exc


def _target(request: Request) -> str:
    """The request target as the client signed it: the raw path and the query."""
    scope = request.scope
    target: str = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    if scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    return target


def parse_body(body: bytes) -> Mapping[str, Any]:
    """The request body as a JSON object; 400 CannotParseRequest if it is not one."""
    try:
        parsed = json.loads(body, parse_constant=_not_json)
    except ValueError as exc:
        raise cannot_parse("the body is not valid JSON") from exc
    if not isinstance(parsed, dict):
        raise cannot_parse("the body must be a JSON object")
    return parsed


def _not_json(constant: str) -> Any:
    """``NaN``, ``Infinity``, ``-Infinity``: Python's ``json`` reads them, JSON has no such
    values, and OCI's service answers 400 for a body holding one."""
    raise ValueError(f"{constant} is not a JSON value")
