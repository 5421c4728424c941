"""Security tokens (JWTs) as the client sees them: claims read without verification.

OCI session tokens, instance-principal and resource-principal tokens are JWTs whose
``exp`` claim says when they stop working. The client never verifies them (the
service does); it only reads ``exp`` and ``iat`` to refresh in time. Token texts are
secrets: nothing here logs or formats them.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["TokenTimes", "token_claims", "token_expiry", "token_from_authorization"]


def token_claims(token: str) -> dict[str, Any] | None:
    """The JSON claims of a JWT (signature not checked), or ``None`` if it is not one."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def token_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (not verified), or ``None`` when it has none."""
    return TokenTimes.of(token).expires


@dataclass(frozen=True, slots=True)
class TokenTimes:
    """When a token was issued and when it expires (epoch seconds; either may be unknown)."""

    issued: float | None
    expires: float | None

    @classmethod
    def of(cls, token: str) -> TokenTimes:
        """The times read from ``token``'s claims."""
        claims = token_claims(token) or {}
        return cls(_number(claims.get("iat")), _number(claims.get("exp")))

    def refresh_at(self, *, margin: float = 300.0) -> float | None:
        """When to refresh: ``margin`` seconds before expiry, but never before half of the
        token's life has passed (short-lived tokens would otherwise refresh at once)."""
        if self.expires is None:
            return None
        at = self.expires - margin
        if self.issued is not None and self.issued < self.expires:
            at = max(at, self.issued + (self.expires - self.issued) / 2)
        return at


def token_from_authorization(value: str | None) -> str | None:
    """The token of an ``ST$<token>`` key id in an OCI ``Authorization`` header, if any."""
    if not value:
        return None
    marker = 'keyId="ST$'
    start = value.find(marker)
    if start < 0:
        return None
    start += len(marker)
    end = value.find('"', start)
    return value[start:end] if end > start else None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    return float(value) if isinstance(value, int | float) else None
