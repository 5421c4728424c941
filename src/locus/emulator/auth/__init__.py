"""Who may call the emulator: OCI request signatures, and the identity plane.

The identity plane (instance metadata, federation, principal tokens) is off by default.
``Emulator.principals`` switches pieces on and returns the environment variables that
point the ``oci`` SDK at them (``OCI_METADATA_BASE_URL``, ``OCI_FEDERATION_ENDPOINT``,
the ``OCI_RESOURCE_PRINCIPAL_*`` family).
"""

from __future__ import annotations

from locus.emulator.auth._authority import DEFAULT_LIFETIME, TokenAuthority
from locus.emulator.auth._principals import Principals
from locus.emulator.auth._routes import principal_routes
from locus.emulator.auth._signature import KeyRing, SignatureError, Verifier, body_digest

__all__ = [
    "DEFAULT_LIFETIME",
    "KeyRing",
    "Principals",
    "SignatureError",
    "TokenAuthority",
    "Verifier",
    "body_digest",
    "principal_routes",
]
