"""PEM parsing helpers for the emulator's identity plane."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["load_private_pem", "load_public_body"]


def load_private_pem(data: bytes) -> rsa.RSAPrivateKey:
    """An unencrypted RSA private key from PEM bytes."""
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load_public_body(body: str) -> rsa.RSAPublicKey:
    """An RSA public key from a PEM body sent without armor or newlines (federation)."""
    text = "".join(body.split())
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    pem = "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key
