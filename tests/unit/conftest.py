"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    """A throwaway RSA key (never an OCI credential)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)
