"""A throwaway certificate authority and a server certificate for one loopback address."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from locus.emulator.auth.files import write_private

__all__ = ["write_server_tls"]


def write_server_tls(folder: Path, host: str) -> tuple[Path, Path, Path]:
    """Write ``ca.crt``, ``server.crt`` and ``server.key`` for ``host`` (an IP address)."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "locus emulator kubernetes CA")])
    ca = _builder(ca_name, ca_name, ca_key.public_key()).add_extension(
        x509.BasicConstraints(ca=True, path_length=None), critical=True
    )
    server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    server = (
        _builder(server_name, ca_name, server_key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
    )
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, cert_file = folder / "ca.crt", folder / "server.crt"
    ca_file.write_bytes(ca.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
    signed = server.sign(ca_key, hashes.SHA256())
    cert_file.write_bytes(signed.public_bytes(serialization.Encoding.PEM))
    return ca_file, cert_file, write_private(folder / "server.key", server_key)


def _builder(
    subject: x509.Name, issuer: x509.Name, key: rsa.RSAPublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
