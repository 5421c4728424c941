"""The emulated identity plane of one emulator: instance metadata, federation, principals.

Everything is off until switched on: ``enable_instance_principal()`` opens the
instance metadata service (``/opc/v2/...``) and the federation endpoint
(``/v1/x509``); ``enable_resource_principal()`` writes v2.2 token and key files;
``add_session_profile()`` writes a session-token profile. Each returns the
environment variables that point the ``oci`` SDK (and so Locus) at them. Tokens come
from one :class:`TokenAuthority`, whose switches expire or revoke them.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from locus.emulator.auth._authority import DEFAULT_LIFETIME, TokenAuthority
from locus.emulator.auth._files import (
    append_session_profile,
    new_session_key,
    write_private,
    write_token,
)
from locus.emulator.auth._identity import InstanceIdentity, make_instance_identity
from locus.emulator.auth._keys import load_private_pem
from locus.emulator.auth._proxymux import Proxymux
from locus.emulator.auth._signature import KeyRing

__all__ = ["Principals"]

_RP_RESOURCE = "ocid1.fnfunc.oc1.us-chicago-1.aaaaaaaalocusemulatorfunction"


class Principals:
    """Instance principal, resource principal and session tokens for one emulator."""

    def __init__(
        self,
        *,
        tenancy: str,
        compartment: str,
        region: str,
        state_dir: Path,
        config_file: Path,
        keys: KeyRing,
        lifetime: float = DEFAULT_LIFETIME,
    ) -> None:
        self.region = region
        self.authority = TokenAuthority(tenancy=tenancy, compartment=compartment, lifetime=lifetime)
        self.authority.attach(keys)
        self.calls: Counter[str] = Counter()
        self.instance_enabled = False
        self.federation_refusing: str | None = None
        self.metadata_denied = False
        self._state_dir = state_dir
        self._config_file = config_file
        self._instance: InstanceIdentity | None = None
        self._rp_key: rsa.RSAPrivateKey | None = None
        self.proxymux: Proxymux | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Principals(region={self.region!r}, instance={self.instance_enabled})"

    @property
    def instance(self) -> InstanceIdentity:
        """The emulated compute instance's certificates (made on first use)."""
        with self._lock:
            if self._instance is None:
                self._instance = make_instance_identity(self.authority.tenancy)
            return self._instance

    def enable_instance_principal(self, base_url: str) -> dict[str, str]:
        """Serve IMDS and federation; the environment that points the SDK at them."""
        _ = self.instance
        self.instance_enabled = True
        return {
            "OCI_METADATA_BASE_URL": f"{base_url}/opc/v2",
            "OCI_FEDERATION_ENDPOINT": f"{base_url}/v1/x509",
        }

    def deny_metadata(self, denied: bool = True) -> None:
        """Make the metadata service answer 403 (the SDK does not retry it, unlike a 404)."""
        self.metadata_denied = denied

    def refuse_federation(self, reason: str | None = "the instance certificate is revoked") -> None:
        """Make the federation endpoint refuse token requests (``None`` accepts again)."""
        self.federation_refusing = reason

    def enable_resource_principal(self) -> dict[str, str]:
        """Write v2.2 RPST and key files; the ``OCI_RESOURCE_PRINCIPAL_*`` environment."""
        folder = self._state_dir / "resource-principal"
        self._rp_key = new_session_key()
        key_file = write_private(folder / "private.pem", self._rp_key)
        token_file = self.rotate_resource_principal()
        return {
            "OCI_RESOURCE_PRINCIPAL_VERSION": "2.2",
            "OCI_RESOURCE_PRINCIPAL_RPST": str(token_file),
            "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM": str(key_file),
            "OCI_RESOURCE_PRINCIPAL_REGION": self.region,
        }

    def rotate_resource_principal(self, lifetime: float | None = None) -> Path:
        """Write a fresh RPST into the token file, as the platform does before expiry."""
        if self._rp_key is None:
            raise RuntimeError("the resource principal is not enabled")
        token = self.authority.issue(
            self._rp_key.public_key(), kind="resource", subject=_RP_RESOURCE, lifetime=lifetime
        )
        return write_token(self._state_dir / "resource-principal" / "rpst", token)

    def enable_workload_identity(self) -> dict[str, str]:
        """Serve an OKE proxymux (TLS, port 12250 on a random 127.x.y.z) and write the
        pod's service-account token; the environment that points the SDK at them."""
        if self.proxymux is None:
            self.proxymux = Proxymux(self.authority, self._state_dir / "oke")
            return self.proxymux.start(self.region)
        raise RuntimeError("workload identity is already enabled")

    def close(self) -> None:
        """Stop the servers this plane started (the proxymux)."""
        if self.proxymux is not None:
            self.proxymux.stop()
            self.proxymux = None

    def add_session_profile(self, name: str = "SESSION", lifetime: float | None = None) -> str:
        """Write a session-token profile ``[name]`` (as ``oci session authenticate`` does)."""
        folder = self._state_dir / "sessions" / name
        key = new_session_key()
        key_file = write_private(folder / "oci_api_key.pem", key)
        token_file = write_token(folder / "token", self._session_token(key, name, lifetime))
        append_session_profile(
            self._config_file,
            name,
            key_file=key_file,
            token_file=token_file,
            region=self.region,
            tenancy=self.authority.tenancy,
        )
        return name

    def refresh_session(self, name: str = "SESSION", lifetime: float | None = None) -> None:
        """Write a new token for profile ``[name]`` (as ``oci session refresh`` does)."""
        folder = self._state_dir / "sessions" / name
        key = load_private_pem((folder / "oci_api_key.pem").read_bytes())
        write_token(folder / "token", self._session_token(key, name, lifetime))

    def _session_token(self, key: rsa.RSAPrivateKey, name: str, lifetime: float | None) -> str:
        return self.authority.issue(
            key.public_key(), kind="session", subject=f"session:{name}", lifetime=lifetime
        )
