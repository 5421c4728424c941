"""Credential files the platform would write: resource-principal v2.2 and session profiles.

Resource principal v2.2 (OCI Functions, Data Science): ``OCI_RESOURCE_PRINCIPAL_RPST``
and ``OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM`` name files the platform rewrites in place.
Session profiles (``oci session authenticate``): a token file and a session key under
``sessions/<PROFILE>/``, and a profile with ``security_token_file`` in the config file.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["append_session_profile", "new_session_key", "write_private", "write_token"]


def new_session_key() -> rsa.RSAPrivateKey:
    """A 2048-bit RSA session key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_private(path: Path, key: rsa.RSAPrivateKey) -> Path:
    """Write ``key`` as an unencrypted PKCS#8 PEM readable only by its owner."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _replace(path, pem)
    return path


def write_token(path: Path, token: str) -> Path:
    """Replace the token file atomically (readers see the old or the new token, whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, token.encode("ascii"))
    return path


def append_session_profile(
    config_file: Path, name: str, *, key_file: Path, token_file: Path, region: str, tenancy: str
) -> None:
    """Add (or replace) a ``[name]`` session profile in the OCI config file."""
    text = config_file.read_text(encoding="utf-8") if config_file.exists() else ""
    text = _without_section(text, name)
    text = text.rstrip("\n") + "\n\n" if text.strip() else ""
    text += (
        f"[{name}]\n"
        f"tenancy={tenancy}\n"
        f"region={region}\n"
        f"key_file={key_file}\n"
        f"security_token_file={token_file}\n"
    )
    config_file.write_text(text, encoding="utf-8")


def _without_section(text: str, name: str) -> str:
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            skipping = stripped[1:-1] == name
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + ("\n" if kept else "")


def _replace(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    partial.replace(path)
