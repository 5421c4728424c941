"""The emulator's token authority: issues short-lived security tokens, accepts ``ST$<token>``.

Every token is an RS256 JWT signed by the authority's own key, vouching for a session
public key (its ``jwk`` claim). Requests signed with ``keyId="ST$<token>"`` are checked
through the key ring's ``ST$`` resolver: signature, ``exp`` against the authority's
clock, and the expiry/revocation switches (``expire_all``, ``revoke_all``).
"""

from __future__ import annotations

import collections
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from locus.emulator.auth._jwt import JWTError, decode_verified, encode, jwk_of, public_key_of_jwk
from locus.emulator.auth._signature import KeyRing, SignatureError

__all__ = ["DEFAULT_LIFETIME", "TokenAuthority"]

DEFAULT_LIFETIME = 1200.0  # instance-principal tokens live about 20 minutes
_PREFIX = "ST$"


@dataclass(frozen=True, slots=True)
class _Issued:
    serial: int
    kind: str


class TokenAuthority:
    """Issues and checks security tokens; counts what it issued, per kind."""

    def __init__(
        self,
        *,
        tenancy: str,
        compartment: str,
        lifetime: float = DEFAULT_LIFETIME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.tenancy = tenancy
        self.compartment = compartment
        self.lifetime = lifetime
        self.clock = clock
        self.issued: collections.Counter[str] = collections.Counter()
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = "locus-emulator-" + secrets.token_hex(4)
        self._tokens: dict[str, _Issued] = {}
        self._serial = 0
        self._expired_upto = 0
        self._revoked_upto = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenAuthority(issued={dict(self.issued)})"

    def attach(self, keys: KeyRing) -> None:
        """Make ``keys`` accept requests signed with tokens this authority issued."""
        keys.add_resolver(_PREFIX, self.resolve)

    def issue(
        self,
        session_key: rsa.RSAPublicKey,
        *,
        kind: str,
        subject: str,
        lifetime: float | None = None,
        claims: dict[str, Any] | None = None,
    ) -> str:
        """A new token of ``kind`` (instance, resource, session, workload) for ``session_key``."""
        now = int(self.clock())
        jti = secrets.token_hex(12)
        with self._lock:
            self._serial += 1
            self._tokens[jti] = _Issued(self._serial, kind)
            self.issued[kind] += 1
        body = {
            "iss": "authService.oracle.com",
            "sub": subject,
            "tenant": self.tenancy,
            "res_tenant": self.tenancy,
            "res_compartment": self.compartment,
            "ptype": kind,
            "iat": now,
            "exp": now + int(self.lifetime if lifetime is None else lifetime),
            "jti": jti,
            "jwk": jwk_of(session_key, kid=jti),
            **(claims or {}),
        }
        return encode(body, self._key, self._kid)

    def expire_all(self) -> None:
        """Treat every token issued so far as expired (the next request gets a 401)."""
        with self._lock:
            self._expired_upto = self._serial

    def revoke_all(self) -> None:
        """Treat every token issued so far as revoked."""
        with self._lock:
            self._revoked_upto = self._serial

    def check(self, token: str, *, kind: str) -> None:
        """Accept a token of ``kind`` that this authority signed and that has not expired
        (the expiry and revocation switches are for security tokens, not this check)."""
        try:
            claims = decode_verified(token, self._key.public_key())
        except JWTError as exc:
            raise SignatureError(f"The token is not valid: {exc}") from None
        exp = claims.get("exp")
        if claims.get("ptype") != kind or not isinstance(exp, int) or exp <= self.clock():
            raise SignatureError(f"The token is not a live {kind} token")

    def resolve(self, key_id: str) -> rsa.RSAPublicKey:
        """The session public key of an ``ST$<token>`` key id; SignatureError says why not."""
        token = key_id.removeprefix(_PREFIX)
        try:
            claims = decode_verified(token, self._key.public_key())
        except JWTError as exc:
            raise SignatureError(f"The security token is not valid: {exc}") from None
        issued = self._tokens.get(str(claims.get("jti")))
        if issued is None:
            raise SignatureError("The security token was not issued by this service")
        self._check_alive(issued, claims)
        try:
            return public_key_of_jwk(claims.get("jwk"))
        except JWTError as exc:
            raise SignatureError(f"The security token is not valid: {exc}") from None

    def _check_alive(self, issued: _Issued, claims: dict[str, Any]) -> None:
        if issued.serial <= self._revoked_upto:
            raise SignatureError("The security token has been revoked")
        exp = claims.get("exp")
        if issued.serial <= self._expired_upto or not isinstance(exp, int) or exp <= self.clock():
            raise SignatureError("The security token has expired")
