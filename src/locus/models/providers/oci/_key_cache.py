"""Parsed private keys, shared by every model of the process.

``cached_private_key`` reads the key file on every call (so a key rewritten on disk is
seen at once) but parses a given content only once per pass phrase: a second model on
the same profile does no RSA key check (40-60 ms each).
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from locus.core.errors import CredentialsError
from locus.models.providers.oci._file_cache import LRUCache, content_digest, secret_digest
from locus.models.providers.oci.signer import parse_private_key

__all__ = ["KEYS", "cached_private_key"]

CACHE_SIZE = 32

KEYS: LRUCache[rsa.RSAPrivateKey] = LRUCache(CACHE_SIZE)
"""Keyed by (digest of the PEM bytes, salted digest of the pass phrase)."""


def cached_private_key(path: Path, passphrase: str | None = None) -> rsa.RSAPrivateKey:
    """``signer.load_private_key``, parsing each (content, pass phrase) once per process."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CredentialsError(f"cannot read key file {path}: {exc.strerror}") from None
    key = (content_digest(data), secret_digest(passphrase))
    return KEYS.get_or_make(key, lambda: parse_private_key(data, passphrase, source=str(path)))
