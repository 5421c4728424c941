"""``SessionTokenAuth``: signs with ``ST$<token>`` and follows the token file.

It re-reads the token file when it changes on disk (``oci session refresh`` out of band)
and, after a 401, re-reads it and re-signs once when the file holds a new token.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from locus.core.errors import CredentialsError
from locus.models.providers.oci._signing_auth import Clock, OCISigningAuth
from locus.models.providers.oci.signer import RequestSigner
from locus.models.providers.oci.token import token_expiry

__all__ = ["SessionTokenAuth"]


class SessionTokenAuth(OCISigningAuth):
    """Signs with ``ST$<token>``; follows the token file as it is refreshed."""

    def __init__(
        self,
        token_file: Path,
        private_key: rsa.RSAPrivateKey,
        *,
        profile: str,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self._path = token_file
        self._key = private_key
        self._profile = profile
        self._stamp: tuple[int, int] | None = None
        self._signer: RequestSigner | None = None
        self._digest: str | None = None
        self.expires_at: float | None = None

    def __repr__(self) -> str:
        return f"SessionTokenAuth(profile={self._profile!r})"

    def current_signer(self) -> RequestSigner:
        if self._signer is None or self._file_stamp() != self._stamp:
            self._reload()
        if self.expired():
            raise CredentialsError(self._expired_message())
        assert self._signer is not None
        return self._signer

    def expired(self, *, within: float = 0.0) -> bool:
        """True when the loaded token's ``exp`` is past (or ``within`` seconds of it)."""
        return self.expires_at is not None and self.expires_at <= self.clock() + within

    def refresh_after_401(self) -> bool:
        before = self._digest
        self._reload()
        return self._digest != before

    def known_cause(self) -> str | None:
        return self._expired_message() if self.expired(within=60) else None

    def _reload(self) -> None:
        self._stamp = self._file_stamp()
        try:
            token = self._path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CredentialsError(
                f"cannot read security_token_file {self._path}: {exc.strerror}"
            ) from None
        if not token:
            raise CredentialsError(f"security_token_file {self._path} is empty")
        self._digest = hashlib.sha256(token.encode()).hexdigest()
        self.expires_at = token_expiry(token)
        self._signer = RequestSigner(f"ST${token}", self._key)

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self._path)
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def _expired_message(self) -> str:
        return (
            f"the session token of profile [{self._profile}] ({self._path}) has expired: run "
            f"`oci session refresh --profile {self._profile}` (or `oci session authenticate` "
            "if it can no longer be refreshed)"
        )
