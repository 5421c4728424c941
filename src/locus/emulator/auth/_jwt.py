"""Compact RS256 JSON Web Tokens (RFC 7519 / RFC 7515), signed and checked by the emulator.

Written for the emulator alone (the client only reads claims, in its own code), so the
two sides can disagree and tests notice. Keys are RSA; the session public key a token
vouches for travels in its ``jwk`` claim (RFC 7517 ``n``/``e``), as in OCI's tokens.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["JWTError", "decode_verified", "encode", "jwk_of", "public_key_of_jwk"]


class JWTError(Exception):
    """The text is not a JWT this key signed (the message never repeats the token)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JWTError("the token is not base64url") from exc


def encode(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str) -> str:
    """``header.claims.signature`` signed with RS256."""
    header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    head = _b64(json.dumps(header, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signed = f"{head}.{body}".encode("ascii")
    signature = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{_b64(signature)}"


def decode_verified(token: str, key: rsa.RSAPublicKey) -> dict[str, Any]:
    """The claims of ``token`` once its RS256 signature checks out with ``key``."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JWTError("the token is not a JWT")
    try:
        key.verify(
            _unb64(parts[2]),
            f"{parts[0]}.{parts[1]}".encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, UnicodeEncodeError) as exc:
        raise JWTError("the token's signature is not valid") from exc
    try:
        claims = json.loads(_unb64(parts[1]))
    except ValueError as exc:
        raise JWTError("the token's claims are not JSON") from exc
    if not isinstance(claims, dict):
        raise JWTError("the token's claims are not an object")
    return claims


def jwk_of(public_key: rsa.RSAPublicKey, kid: str) -> dict[str, str]:
    """The RFC 7517 JSON Web Key of an RSA public key."""
    numbers = public_key.public_numbers()
    return {
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": kid,
        "n": _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
        "e": _b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
    }


def public_key_of_jwk(jwk: Any) -> rsa.RSAPublicKey:
    """The RSA public key a JWK describes."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
        raise JWTError("the token carries no RSA jwk")
    n = int.from_bytes(_unb64(str(jwk.get("n", ""))), "big")
    e = int.from_bytes(_unb64(str(jwk.get("e", ""))), "big")
    try:
        return rsa.RSAPublicNumbers(e, n).public_key()
    except ValueError as exc:
        raise JWTError("the token's jwk is not a valid RSA key") from exc
