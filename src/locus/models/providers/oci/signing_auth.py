"""``httpx.Auth`` flows that OCI-sign every request attempt with our own signer.

``ApiKeyAuth`` signs with a profile's API key. ``SessionTokenAuth`` signs with
``ST$<token>``; it re-reads the token file when it changes on disk (``oci session
refresh`` out of band) and, after a 401, re-reads it and re-signs once.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from collections.abc import Generator
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.core.errors import CredentialsError
from locus.models.providers.oci.signer import RequestSigner

__all__ = ["ApiKeyAuth", "OCISigningAuth", "SessionTokenAuth", "sign_request", "token_expiry"]


def sign_request(request: httpx.Request, signer: RequestSigner) -> None:
    """Add the OCI signature headers to an httpx request (body must be read)."""
    target = request.url.raw_path.decode("ascii")
    host = request.headers.get("host") or request.url.netloc.decode("ascii")
    content_type = request.headers.get("content-type", "application/json")
    if "content-type" not in request.headers:
        request.headers["content-type"] = content_type
    headers = signer.sign(request.method, target, host, request.content, content_type=content_type)
    request.headers.update(headers)


class OCISigningAuth(httpx.Auth):
    """Base flow: sign, send, and on a 401 refresh credentials and re-sign once."""

    requires_request_body = True

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        sign_request(request, self.current_signer())
        response = yield request
        if response.status_code == 401 and self.refresh_after_401():
            sign_request(request, self.current_signer())
            yield request

    def current_signer(self) -> RequestSigner:
        """The signer for the next attempt."""
        raise NotImplementedError

    def refresh_after_401(self) -> bool:
        """Reload credentials after a 401; True when a re-signed retry is worth it."""
        return False

    def diagnosis(self) -> str | None:
        """A known local cause of a 401 (never secret), for the error's hint."""
        return None


class ApiKeyAuth(OCISigningAuth):
    """Signs with ``<tenancy>/<user>/<fingerprint>`` and the profile's key (loaded once)."""

    def __init__(
        self, key_id: str, private_key: rsa.RSAPrivateKey, *, fingerprint_mismatch: str | None
    ) -> None:
        self._signer = RequestSigner(key_id, private_key)
        self._mismatch = fingerprint_mismatch

    def __repr__(self) -> str:
        return "ApiKeyAuth()"

    def current_signer(self) -> RequestSigner:
        return self._signer

    def diagnosis(self) -> str | None:
        return self._mismatch


class SessionTokenAuth(OCISigningAuth):
    """Signs with ``ST$<token>``; follows the token file as it is refreshed."""

    def __init__(self, token_file: Path, private_key: rsa.RSAPrivateKey, *, profile: str) -> None:
        self._path = token_file
        self._key = private_key
        self._profile = profile
        self._stamp: tuple[int, int] | None = None
        self._signer: RequestSigner | None = None
        self._expiry: float | None = None

    def __repr__(self) -> str:
        return f"SessionTokenAuth(profile={self._profile!r})"

    def current_signer(self) -> RequestSigner:
        if self._signer is None or self._file_stamp() != self._stamp:
            self._reload()
        if self._expiry is not None and self._expiry <= time.time():
            raise CredentialsError(self._expired_message())
        assert self._signer is not None
        return self._signer

    def refresh_after_401(self) -> bool:
        self._reload()
        return True

    def diagnosis(self) -> str | None:
        if self._expiry is not None and self._expiry <= time.time() + 60:
            return self._expired_message()
        return None

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
        self._expiry = token_expiry(token)
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


def token_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (not verified), or ``None`` when it has none."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) else None
