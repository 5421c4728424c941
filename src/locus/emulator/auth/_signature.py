"""OCI HTTP Signature verification (wire-spec §6), written independently of the client's signer.

The verifier recomputes the signing string from the request as received, checks the
body headers against the body, the ``date`` against the clock, and the RSA signature
against the public key its ``keyId`` names. Key lookup goes through a :class:`KeyRing`
so that other key kinds (session tokens ``ST$<jwt>``) can be plugged in later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = [
    "MAX_SKEW_SECONDS",
    "KeyRing",
    "SignatureError",
    "Verifier",
    "body_digest",
    "check_body",
    "check_signature",
    "parse_authorization",
    "signing_string",
]

MAX_SKEW_SECONDS = 300.0
_REMEMBERED = 1024  # signatures that passed, kept to skip checking them again
_PARAM = re.compile(r'([A-Za-z]+)="([^"]*)"')
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_BODY_HEADERS = ("content-length", "content-type", "x-content-sha256")

KeyResolver = Callable[[str], rsa.RSAPublicKey | None]


class SignatureError(Exception):
    """The request is not authenticated; the message says why (never the signature itself)."""


def body_digest(body: bytes) -> str:
    """The ``x-content-sha256`` value for ``body``: base64 of its SHA-256."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


class KeyRing:
    """Public keys by ``keyId``, plus resolvers for key-id prefixes such as ``ST$``."""

    def __init__(self) -> None:
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._resolvers: dict[str, KeyResolver] = {}

    def add(self, key_id: str, public_key: rsa.RSAPublicKey) -> None:
        """Accept signatures made with the private half of ``public_key`` under ``key_id``."""
        self._keys[key_id] = public_key

    def add_resolver(self, prefix: str, resolver: KeyResolver) -> None:
        """Resolve key ids starting with ``prefix`` (for example ``ST$``) through ``resolver``."""
        self._resolvers[prefix] = resolver

    def lookup(self, key_id: str) -> rsa.RSAPublicKey | None:
        """The public key for ``key_id``, or None when it is unknown."""
        key = self._keys.get(key_id)
        if key is not None:
            return key
        for prefix, resolver in self._resolvers.items():
            if key_id.startswith(prefix):
                return resolver(key_id)
        return None


class Verifier:
    """Checks OCI request signatures against a key ring and the clock."""

    def __init__(
        self,
        keys: KeyRing,
        max_skew: float = MAX_SKEW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = keys
        self._max_skew = max_skew
        self._clock = clock
        self._dates: dict[str, float] = {}
        self._verified: dict[tuple[int, bytes, str], rsa.RSAPublicKey] = {}

    def verify(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> str:
        """Return the request's ``keyId`` if it is correctly signed; raise SignatureError if not."""
        params = parse_authorization(headers.get("authorization"))
        names = params["headers"].lower().split()
        _check_required(method, names)
        if method in _BODY_METHODS:
            check_body(headers, body)
        self._check_date(headers)
        key = self._keys.lookup(params["keyId"])
        if key is None:
            raise SignatureError("The key id of the signature is not known")
        text = signing_string(method, target, headers, names)
        self._check_signature(key, params["signature"], text)
        return params["keyId"]

    def _check_signature(self, key: rsa.RSAPublicKey, signature: str, text: bytes) -> None:
        """:func:`check_signature`, remembering what passed: the same key, text and signature
        always give the same answer, and identical requests (one body, signed in the same
        second) are common under load. Only the RSA check is skipped: the key lookup, the
        body and the date are checked on every request."""
        seen = (id(key), text, signature)
        if self._verified.get(seen) is key:  # the same key object, not a new one at that id
            return
        check_signature(key, signature, text)
        if len(self._verified) >= _REMEMBERED:
            self._verified.clear()
        self._verified[seen] = key

    def _check_date(self, headers: Mapping[str, str]) -> None:
        value = headers.get("x-date") or headers.get("date")
        if not value:
            raise SignatureError("The date header is missing")
        stamp = self._dates.get(value)
        if stamp is None:
            stamp = _parse_date(value)
            if len(self._dates) > 256:
                self._dates.clear()
            self._dates[value] = stamp
        if abs(self._clock() - stamp) > self._max_skew:
            raise SignatureError("The request date is more than 5 minutes away from server time")


def parse_authorization(value: str | None) -> dict[str, str]:
    """The parameters of a ``Signature`` Authorization header (``keyId``, ``headers``, ...)."""
    if not value or not value.startswith("Signature "):
        raise SignatureError("The Authorization header is missing or is not an OCI signature")
    params = dict(_PARAM.findall(value))
    for name in ("headers", "keyId", "signature"):
        if not params.get(name):
            raise SignatureError(f"The signature has no {name} parameter")
    if params.get("algorithm", "rsa-sha256") != "rsa-sha256":
        raise SignatureError("Only the rsa-sha256 signature algorithm is supported")
    return params


def _check_required(method: str, names: list[str]) -> None:
    required = ["(request-target)", "host"]
    if method in _BODY_METHODS:
        required.extend(_BODY_HEADERS)
    missing = [name for name in required if name not in names]
    if "date" not in names and "x-date" not in names:
        missing.append("date")
    if missing:
        raise SignatureError(f"Required headers are not signed: {' '.join(missing)}")


def check_body(headers: Mapping[str, str], body: bytes) -> None:
    """The signed body headers must describe ``body`` exactly."""
    if headers.get("content-length") != str(len(body)):
        raise SignatureError("The content-length header does not match the body")
    if headers.get("x-content-sha256") != body_digest(body):
        raise SignatureError("The x-content-sha256 header does not match the body")


def _parse_date(value: str) -> float:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError) as exc:
        raise SignatureError("The date header is not an HTTP date") from exc


def signing_string(method: str, target: str, headers: Mapping[str, str], names: list[str]) -> bytes:
    """The text the client signed: one ``name: value`` line per signed header, in order."""
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
            continue
        value = headers.get(name)
        if value is None:
            raise SignatureError(f"The signed header {name} is missing from the request")
        lines.append(f"{name}: {value}")
    return "\n".join(lines).encode("ascii", "replace")


def check_signature(key: rsa.RSAPublicKey, signature: str, text: bytes) -> None:
    """The base64 ``signature`` must be ``key``'s RSA-SHA256 signature of ``text``."""
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, text, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise SignatureError("The signature does not match the request") from exc
