"""``ApiKeyAuth``: signs with a profile's API key, and follows a rotated one.

The key is loaded once. After a 401 the profile (``fingerprint``, ``key_file``,
``pass_phrase``, ``tenancy``, ``user``) and its key file are read again: when they now
name another key (a rotation: a new key uploaded, the key file and ``fingerprint``
replaced) the flow switches to it and the request is signed again, once. Unchanged files
are not parsed again (``config``'s and ``_key_cache``'s caches), and nothing is resent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

from cryptography.hazmat.primitives.asymmetric import rsa

from locus.core.errors import CredentialsError
from locus.models.providers.oci._signing_auth import Clock, OCISigningAuth
from locus.models.providers.oci.signer import RequestSigner

__all__ = ["ApiKey", "ApiKeyAuth"]

logger = logging.getLogger("locus.models.oci")


class ApiKey(NamedTuple):
    """What a profile's API key signs with (no secret in its repr: the key hides it)."""

    key_id: str
    """``<tenancy>/<user>/<fingerprint>`` as the profile says."""
    private_key: rsa.RSAPrivateKey
    fingerprint: str
    """The key's own fingerprint (which may differ from the profile's)."""
    mismatch: str | None
    """Why the profile's fingerprint is not the key's, or ``None``."""

    def __repr__(self) -> str:
        return f"ApiKey(fingerprint={self.fingerprint!r})"


class ApiKeyAuth(OCISigningAuth):
    """Signs with ``<tenancy>/<user>/<fingerprint>`` and the profile's key.

    ``reload`` (given by ``build_auth``) reads the profile and key again; without it a 401
    is final, as for a key given directly.
    """

    def __init__(
        self,
        key_id: str,
        private_key: rsa.RSAPrivateKey,
        *,
        fingerprint_mismatch: str | None,
        clock: Clock | None = None,
        reload: Callable[[], ApiKey] | None = None,
        profile: str | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self._signer = RequestSigner(key_id, private_key)
        self._key_id = key_id
        self._key = private_key
        self._mismatch = fingerprint_mismatch
        self._reload = reload
        self._profile = profile
        self._reload_problem: str | None = None
        self.reloads = 0
        """How many times a 401 found a new key on disk and the flow switched to it."""

    def __repr__(self) -> str:
        return "ApiKeyAuth()" if self._profile is None else f"ApiKeyAuth(profile={self._profile!r})"

    def current_signer(self) -> RequestSigner:
        return self._signer

    def refresh_after_401(self) -> bool:
        """Read the profile and key file again; True (and signing with it from now on) when
        they name another key id or hold another key than the one in use."""
        if self._reload is None:
            return False
        try:
            loaded = self._reload()
        except CredentialsError as exc:  # (its text names files and entries, never secrets)
            self._reload_problem = (
                f"reading profile [{self._profile}] again after the 401 failed: {exc}"
            )
            return False
        self._reload_problem = None
        self._mismatch = loaded.mismatch
        if loaded.key_id == self._key_id and _same_key(loaded.private_key, self._key):
            return False
        self._key_id, self._key = loaded.key_id, loaded.private_key
        self._signer = RequestSigner(loaded.key_id, loaded.private_key)
        self.reloads += 1
        logger.info(
            "profile [%s]: the API key changed on disk (now fingerprint %s); signing with it",
            self._profile,
            loaded.key_id.rsplit("/", 1)[-1],
        )
        return True

    def renewed_since(self, authorization: str | None) -> bool:
        """Whether the key in use is not the one that signed ``authorization`` (another
        request's 401 already switched to a rotated key)."""
        return authorization is not None and f'keyId="{self._key_id}"' not in authorization

    def known_cause(self) -> str | None:
        return self._mismatch or self._reload_problem


def _same_key(one: rsa.RSAPrivateKey, other: rsa.RSAPrivateKey) -> bool:
    return one is other or one.public_key().public_numbers() == other.public_key().public_numbers()
