"""An emulated compute instance's identity: leaf certificate, its key, and the intermediate.

The leaf certificate's subject carries ``OU=opc-tenant:<tenancy OCID>`` (the SDK reads
the tenancy from it) and ``OU=opc-instance:<instance OCID>``. The federation endpoint
checks requests signed with the leaf key under ``<tenancy>/fed-x509/<SHA-1 fingerprint>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from locus.emulator.auth._tls import certificate_builder

__all__ = ["InstanceIdentity", "fed_x509_key_id", "make_instance_identity"]

_INSTANCE = "ocid1.instance.oc1.us-chicago-1.aaaaaaaalocusemulatorinstance"


@dataclass(frozen=True, slots=True)
class InstanceIdentity:
    """PEM texts the instance metadata service hands out, and the ids they carry."""

    tenancy: str
    instance: str
    leaf_pem: bytes
    key_pem: bytes = field(repr=False)
    intermediate_pem: bytes
    leaf: x509.Certificate = field(repr=False)

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        """The leaf certificate's RSA public key."""
        key = self.leaf.public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        return key

    @property
    def key_id(self) -> str:
        """The key id the SDK signs federation requests with."""
        return fed_x509_key_id(self.tenancy, self.leaf)


def fed_x509_key_id(tenancy: str, certificate: x509.Certificate) -> str:
    """``<tenancy>/fed-x509/<SHA-1 fingerprint, upper-case colon hex>``."""
    digest = certificate.fingerprint(hashes.SHA1())  # the wire format says SHA-1
    return f"{tenancy}/fed-x509/" + ":".join(f"{byte:02X}" for byte in digest)


def make_instance_identity(tenancy: str, instance: str = _INSTANCE) -> InstanceIdentity:
    """A fresh intermediate CA and a leaf certificate issued by it for ``instance``."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "locus emulator intermediate")])
    ca = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, is_ca=True)
    leaf_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, instance),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"opc-instance:{instance}"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"opc-tenant:{tenancy}"),
        ]
    )
    leaf = _certificate(leaf_name, ca_name, leaf_key.public_key(), ca_key, is_ca=False)
    return InstanceIdentity(
        tenancy=tenancy,
        instance=instance,
        leaf_pem=leaf.public_bytes(serialization.Encoding.PEM),
        key_pem=leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
        intermediate_pem=ca.public_bytes(serialization.Encoding.PEM),
        leaf=leaf,
    )


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: rsa.RSAPublicKey,
    signing_key: rsa.RSAPrivateKey,
    *,
    is_ca: bool,
) -> x509.Certificate:
    return (
        certificate_builder(subject, issuer, public_key)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .sign(signing_key, hashes.SHA256())
    )
