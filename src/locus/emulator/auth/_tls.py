"""A throwaway certificate authority and a server certificate for one loopback address."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from locus.emulator.auth._files import write_private

__all__ = ["certificate_builder", "write_server_tls"]


def write_server_tls(folder: Path, host: str) -> tuple[Path, Path, Path]:
    """Write ``ca.crt``, ``server.crt`` and ``server.key`` for ``host`` (an IP address)."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "locus emulator kubernetes CA")])
    # the extensions RFC 5280 asks for, which strict verifiers check (Python 3.13's default
    # context sets VERIFY_X509_STRICT: no Authority Key Identifier, no handshake)
    ca_key_id = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    signed_by_ca = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_key_id)
    ca = (
        certificate_builder(ca_name, ca_name, ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(ca_key_id, critical=False)
        .add_extension(signed_by_ca, critical=False)
    )
    server = _server(host, ca_name, server_key.public_key()).add_extension(
        signed_by_ca, critical=False
    )
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, cert_file = folder / "ca.crt", folder / "server.crt"
    ca_file.write_bytes(_pem(ca.sign(ca_key, hashes.SHA256())))
    cert_file.write_bytes(_pem(server.sign(ca_key, hashes.SHA256())))
    return ca_file, cert_file, write_private(folder / "server.key", server_key)


def certificate_builder(
    subject: x509.Name, issuer: x509.Name, key: rsa.RSAPublicKey
) -> x509.CertificateBuilder:
    """A certificate for ``key``, valid from five minutes ago for a day, not yet signed."""
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


def _server(host: str, issuer: x509.Name, key: rsa.RSAPublicKey) -> x509.CertificateBuilder:
    """A server certificate for the IP address ``host``, with its RFC 5280 extensions."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    address = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))])
    return (
        certificate_builder(name, issuer, key)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(address, critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
    )


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    """A CA signs certificates; a server signs its handshakes (and may encipher keys)."""
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=not cert_sign,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
