"""The emulator's identity plane: instance metadata, federation, principal tokens.

Off by default. ``Emulator.principals`` switches pieces on and returns the environment
variables that point the ``oci`` SDK at them (``OCI_METADATA_BASE_URL``,
``OCI_FEDERATION_ENDPOINT``, the ``OCI_RESOURCE_PRINCIPAL_*`` family).
"""

from __future__ import annotations

from locus.emulator.auth.authority import DEFAULT_LIFETIME, TokenAuthority
from locus.emulator.auth.principals import Principals

__all__ = ["DEFAULT_LIFETIME", "Principals", "TokenAuthority"]
