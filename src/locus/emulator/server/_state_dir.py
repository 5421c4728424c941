"""The state directory contract: ``key.pem``, ``config``, ``api_key`` and ``emulator.json``.

Clients read these files to talk to the emulator exactly as they would talk to OCI:
an OCI config file whose ``DEFAULT`` profile signs with a fresh RSA key, and
``emulator.json`` (written once the server is listening) describing what it serves.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.emulator._catalogue import Catalogue

__all__ = [
    "COMPARTMENT",
    "PROFILE",
    "TENANCY",
    "USER",
    "Identity",
    "describe",
    "fingerprint_of",
    "prepare_state_dir",
    "write_info",
]

TENANCY = "ocid1.tenancy.oc1..aaaaaaaalocusemulatortenancy2xq7c4mhbv5rj3n6wkd8pz0ft1ys9gu"
USER = "ocid1.user.oc1..aaaaaaaalocusemulatoruser7h2k5m8q4t6w9z3b1d0f2j4n6r8v0x2c4g6"
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaalocusemulatorcompartmentq3w5e7r9t1y3u5i7o9p1a3s5"
PROFILE = "DEFAULT"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who may call the emulator: the signing key's id, public key and the bearer API key."""

    key_id: str
    public_key: rsa.RSAPublicKey = field(repr=False)
    api_key: str = field(repr=False)
    config_file: Path
    compartment_id: str
    region: str
    profile: str = PROFILE


def prepare_state_dir(directory: Path, region: str) -> Identity:
    """Create ``directory`` if needed and write a fresh key, an OCI config and an API key.

    A previous run's ``emulator.json`` is removed, so readers wait for the new one.
    """
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "emulator.json").unlink(missing_ok=True)  # stale until we listen again
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = directory / "key.pem"
    _write_private(key_file, _pem(key))
    fingerprint = fingerprint_of(key.public_key())
    config_file = directory / "config"
    config_file.write_text(_config_text(fingerprint, key_file, region), encoding="utf-8")
    api_key = "locus-emu-" + secrets.token_urlsafe(24)
    _write_private(directory / "api_key", (api_key + "\n").encode())
    return Identity(
        key_id=f"{TENANCY}/{USER}/{fingerprint}",
        public_key=key.public_key(),
        api_key=api_key,
        config_file=config_file,
        compartment_id=COMPARTMENT,
        region=region,
    )


def fingerprint_of(public_key: rsa.RSAPublicKey) -> str:
    """The OCI API-key fingerprint: MD5 of the DER SubjectPublicKeyInfo, colon hex."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.md5(der, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def write_info(directory: Path, info: dict[str, Any]) -> Path:
    """Write ``emulator.json`` atomically, so a reader never sees half a file."""
    target = directory / "emulator.json"
    partial = directory / f".emulator.json.{os.getpid()}.tmp"
    partial.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    partial.replace(target)
    return target


def describe(url: str, identity: Identity, catalogue: Catalogue) -> dict[str, Any]:
    """The ``emulator.json`` contract for a server at ``url``."""
    return {
        "url": url,
        "service_endpoint": url,
        "region": identity.region,
        "compartment_id": identity.compartment_id,
        "config_file": str(identity.config_file),
        "profile": identity.profile,
        "models": catalogue.chat_models(),
        "endpoints": [e.as_info() for e in catalogue.chat_endpoints()],
    }


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private(path: Path, data: bytes) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _config_text(fingerprint: str, key_file: Path, region: str) -> str:
    return (
        f"[{PROFILE}]\n"
        f"user={USER}\n"
        f"fingerprint={fingerprint}\n"
        f"tenancy={TENANCY}\n"
        f"region={region}\n"
        f"key_file={key_file.resolve()}\n"
    )
