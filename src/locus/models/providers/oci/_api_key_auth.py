"""``ApiKeyAuth``: signs with a profile's API key."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from locus.models.providers.oci._signing_auth import Clock, OCISigningAuth
from locus.models.providers.oci.signer import RequestSigner

__all__ = ["ApiKeyAuth"]


class ApiKeyAuth(OCISigningAuth):
    """Signs with ``<tenancy>/<user>/<fingerprint>`` and the profile's key (loaded once)."""

    def __init__(
        self,
        key_id: str,
        private_key: rsa.RSAPrivateKey,
        *,
        fingerprint_mismatch: str | None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self._signer = RequestSigner(key_id, private_key)
        self._mismatch = fingerprint_mismatch

    def __repr__(self) -> str:
        return "ApiKeyAuth()"

    def current_signer(self) -> RequestSigner:
        return self._signer

    def known_cause(self) -> str | None:
        return self._mismatch
