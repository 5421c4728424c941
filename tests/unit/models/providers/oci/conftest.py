"""Fixtures: a throwaway RSA key and OCI config files written to a temp folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.models.providers.oci.signer import key_fingerprint

TENANCY = "ocid1.tenancy.oc1..aaaaaaaaunittenancy"
USER = "ocid1.user.oc1..aaaaaaaaunituser"


def write_key(path: Path, key: rsa.RSAPrivateKey, passphrase: str | None = None) -> Path:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    return path


@pytest.fixture
def oci_dir(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Path:
    """A folder with key.pem, token, and a config with DEFAULT, DAC and SESSION profiles."""
    write_key(tmp_path / "key.pem", rsa_key)
    (tmp_path / "token").write_text("header.eyJleHAiOjQxMDI0NDQ4MDB9.sig")
    (tmp_path / "config").write_text(
        "[DEFAULT]\n"
        f"user={USER}\n"
        f"fingerprint={key_fingerprint(rsa_key)}\n"
        f"tenancy={TENANCY}\n"
        "region=us-chicago-1\n"
        "key_file=key.pem\n"
        "\n[DAC]\n"
        "region=uk-london-1\n"
        "\n[SESSION]\n"
        "user=\n"
        "security_token_file=token\n"
    )
    return tmp_path


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (
        "OCI_CONFIG_FILE",
        "OCI_PROFILE",
        "OCI_REGION",
        "OCI_COMPARTMENT_ID",
        "OCI_AUTH_TYPE",
        "OCI_GENAI_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    yield
