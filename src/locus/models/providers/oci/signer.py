"""OCI HTTP request signing (wire-spec §6), built on ``cryptography``.

RSASSA-PKCS1-v1_5 with SHA-256 over ``date (request-target) host`` plus, for bodies,
``content-length content-type x-content-sha256``. The result reproduces the official
SDK's ``Authorization`` header byte for byte (``shared/oci/signing/vector.json``).
"""

from __future__ import annotations

import base64
import hashlib
from email.utils import formatdate
from pathlib import Path
from typing import NamedTuple

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from locus.core.errors import CredentialsError

__all__ = [
    "PendingSignature",
    "RequestSigner",
    "body_digest",
    "key_fingerprint",
    "load_private_key",
    "parse_private_key",
    "signing_string",
]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_GENERIC_HEADERS = ("date", "(request-target)", "host")
_BODY_HEADERS = ("content-length", "content-type", "x-content-sha256")


def load_private_key(path: Path, passphrase: str | None = None) -> rsa.RSAPrivateKey:
    """Read an RSA private key PEM file; errors say which file and why, never the key."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CredentialsError(f"cannot read key file {path}: {exc.strerror}") from None
    return parse_private_key(data, passphrase, source=str(path))


def parse_private_key(
    data: bytes, passphrase: str | None = None, *, source: str = "key"
) -> rsa.RSAPrivateKey:
    """Parse an RSA private key PEM (optionally encrypted with ``passphrase``)."""
    secret = passphrase.encode() if passphrase else None
    try:
        key = serialization.load_pem_private_key(data, password=secret)
    except TypeError:
        raise CredentialsError(_passphrase_problem(source, secret)) from None
    except ValueError:
        raise CredentialsError(
            f"cannot load private key {source}: not a PEM RSA key, or the pass_phrase is wrong"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CredentialsError(f"private key {source} is not an RSA key (OCI needs RSA)")
    return key


def _passphrase_problem(source: str, secret: bytes | None) -> str:
    if secret is None:
        return f"private key {source} is encrypted: add pass_phrase to the profile"
    return f"private key {source} is not encrypted: remove pass_phrase from the profile"


def key_fingerprint(key: rsa.RSAPrivateKey) -> str:
    """The OCI fingerprint of a key: MD5 of the DER public key, lower-case colon hex."""
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.md5(der, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def body_digest(body: bytes) -> str:
    """``x-content-sha256``: base64 of the SHA-256 of the exact body bytes."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def signing_string(names: tuple[str, ...], values: dict[str, str]) -> str:
    """One ``name: value`` line per signed header, joined by newlines, no trailing one."""
    return "\n".join(f"{name}: {values[name]}" for name in names)


class RequestSigner:
    """Signs requests with one key under one ``keyId`` (which may be a secret token)."""

    __slots__ = ("_key", "_key_id")

    def __init__(self, key_id: str, private_key: rsa.RSAPrivateKey) -> None:
        self._key_id = key_id
        self._key = private_key

    def __repr__(self) -> str:
        kind = "security-token" if self._key_id.startswith("ST$") else "api-key"
        return f"RequestSigner({kind})"

    def sign(
        self,
        method: str,
        target: str,
        host: str,
        body: bytes | None,
        *,
        date: str | None = None,
        content_type: str = "application/json",
    ) -> dict[str, str]:
        """The headers to add: ``date``, body headers when needed, and ``authorization``.

        ``target`` is the path and query exactly as sent (percent-encoded).
        """
        pending = self.prepare(method, target, host, body, date, content_type)
        return self.finish(pending, self.rsa_sign(pending.text))

    def prepare(
        self,
        method: str,
        target: str,
        host: str,
        body: bytes | None,
        date: str | None,
        content_type: str,
    ) -> PendingSignature:
        """Everything but the RSA operation: the header values and the signing string."""
        values = {
            "date": date or formatdate(usegmt=True),
            "(request-target)": f"{method.lower()} {target}",
            "host": host,
        }
        names: tuple[str, ...] = _GENERIC_HEADERS
        if method.upper() in _BODY_METHODS:
            payload = body or b""
            values["content-length"] = str(len(payload))
            values["content-type"] = content_type
            values["x-content-sha256"] = body_digest(payload)
            names = _GENERIC_HEADERS + _BODY_HEADERS
        return PendingSignature(names, values, signing_string(names, values).encode("ascii"))

    def rsa_sign(self, text: bytes) -> bytes:
        """The RSA-SHA256 signature of ``text`` (OpenSSL releases the GIL meanwhile)."""
        return self._key.sign(text, padding.PKCS1v15(), hashes.SHA256())

    def finish(self, pending: PendingSignature, raw: bytes) -> dict[str, str]:
        """The headers to add, from a prepared signature and its RSA signature."""
        signature = base64.b64encode(raw).decode("ascii")
        values = dict(pending.values)
        del values["(request-target)"]
        values["authorization"] = (
            f'Signature algorithm="rsa-sha256",headers="{" ".join(pending.names)}",'
            f'keyId="{self._key_id}",signature="{signature}",version="1"'
        )
        return values


class PendingSignature(NamedTuple):
    """A request's signed header names and values, and the string to sign."""

    names: tuple[str, ...]
    values: dict[str, str]
    text: bytes
