"""Where requests go and who signs them: region, service endpoint, compartment, auth.

Pure checks run at construction (a DAC endpoint OCID in one region and an explicit
``service_endpoint`` in another is refused before any request). Files (config, keys)
are read once, on first use, by ``load()``.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from urllib.parse import urlsplit

import httpx

from locus.core.errors import ConfigurationError, CredentialsError
from locus.models.providers.oci._region_table import REGION_REALMS
from locus.models.providers.oci.auth import (
    OCIAuthType,
    build_auth,
    default_auth_type,
    parse_auth_type,
)
from locus.models.providers.oci.config import OCIProfile, load_profile, resolve_profile_name
from locus.models.providers.oci.ocid import Ocid
from locus.models.providers.oci.principals import PrincipalAuth
from locus.models.providers.oci.regions import (
    inference_endpoint,
    normalise_region,
    region_of_endpoint,
)

__all__ = ["OCIConnection", "clean_service_endpoint"]

_API_VERSION = "/20231130"


def clean_service_endpoint(url: str) -> str:
    """``scheme://host[:port]`` from a service endpoint (a ``/20231130`` suffix is allowed)."""
    text = url.strip().rstrip("/")
    text = text.removesuffix(_API_VERSION)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"service_endpoint {url!r} is not an http(s) URL")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigurationError(
            f"service_endpoint {url!r} must be scheme://host[:port] with no path or query"
        )
    return f"{parts.scheme}://{parts.netloc}"


class OCIConnection:
    """Region, service endpoint, compartment and auth flow of one model."""

    def __init__(
        self,
        *,
        config_file: str | os.PathLike[str] | None,
        profile_name: str | None,
        auth_type: OCIAuthType | str | None,
        service_endpoint: str | None,
        region: str | None,
        compartment_id: str | None,
        endpoint_ocid: Ocid | None,
    ) -> None:
        self._config_file = config_file
        self.profile_name = resolve_profile_name(profile_name)
        self.auth_type = parse_auth_type(auth_type)
        self._compartment = compartment_id
        self.region = normalise_region(region) if region else None
        self._service_endpoint = (
            clean_service_endpoint(service_endpoint) if service_endpoint else None
        )
        self.profile: OCIProfile | None = None
        self._auth: httpx.Auth | None = None
        if endpoint_ocid is not None:
            self._pin_to_ocid_region(endpoint_ocid)

    def __repr__(self) -> str:
        return f"OCIConnection(region={self.region!r}, profile={self.profile_name!r})"

    @property
    def service_endpoint(self) -> str:
        """The base URL (``scheme://host``); known after ``load()`` unless given or derived."""
        if self._service_endpoint is None:
            raise ConfigurationError("the service endpoint is not known before load()")
        return self._service_endpoint

    @property
    def auth(self) -> httpx.Auth:
        """The signing flow (after ``load()``)."""
        if self._auth is None:
            raise ConfigurationError("credentials are not loaded before load()")
        return self._auth

    @property
    def compartment_id(self) -> str:
        """``compartment_id=``, else ``OCI_COMPARTMENT_ID``, else the profile's tenancy."""
        value = self._compartment or os.environ.get("OCI_COMPARTMENT_ID")
        if not value and self.profile is not None:
            value = self.profile.tenancy
        if not value:
            raise ConfigurationError(
                "no compartment: pass compartment_id=..., set OCI_COMPARTMENT_ID, or use a "
                "profile that has a tenancy entry"
            )
        return value

    def close(self) -> None:
        """Close the HTTP sessions a principal's ``oci`` SDK signer keeps open."""
        if isinstance(self._auth, PrincipalAuth):
            self._auth.close()

    def load(self, *, need_auth: bool = True) -> None:
        """Read the profile and key (once), then settle the region and endpoint.

        With ``need_auth=False`` (bearer API keys) the profile is read only when the
        region is not known otherwise.
        """
        if need_auth:
            self._load_auth()
        elif self._service_endpoint is None and not (self.region or os.environ.get("OCI_REGION")):
            self.profile = load_profile(self._config_file, self.profile_name)
        if self._service_endpoint is None:
            self._service_endpoint = inference_endpoint(self._settled_region())
        elif self.region is None:
            # not needed to reach the service, but named in errors and repr: the endpoint's
            # own host first (a private endpoint or loopback has none), then the others; a
            # malformed one is not worth failing for here
            with contextlib.suppress(ConfigurationError):
                self.region = region_of_endpoint(self._service_endpoint) or self._known_region()

    def _load_auth(self) -> None:
        auth_type = self.auth_type
        if auth_type is None or auth_type.uses_profile:
            self.profile = load_profile(self._config_file, self.profile_name)
            auth_type = auth_type or default_auth_type(self.profile)
            self.auth_type = auth_type
        self._auth = build_auth(auth_type, self.profile)

    def _known_region(self) -> str | None:
        """``region=``, else the profile's, the principal's or ``OCI_REGION`` (normalised)."""
        region = self.region
        if region is None and self.profile is not None and self.profile.region:
            region = self.profile.region
        if region is None and isinstance(self._auth, PrincipalAuth):
            region = self._auth.region
        region = region or os.environ.get("OCI_REGION")
        return normalise_region(region) if region else None

    def _settled_region(self) -> str:
        region = self._known_region()
        if not region:
            raise CredentialsError(
                "no region: pass region=... or service_endpoint=..., set OCI_REGION, "
                f"or add region to profile [{self.profile_name}]"
            )
        self.region = region
        return region

    def _pin_to_ocid_region(self, ocid: Ocid) -> None:
        if not ocid.region:
            return
        own = normalise_region(ocid.region)
        if self.region and self.region != own:
            raise ConfigurationError(
                f"region={self.region!r} does not match the endpoint OCID's region {own!r}"
            )
        if self._service_endpoint is None:
            _require_known_region(own)
            self._service_endpoint = inference_endpoint(own, realm=ocid.realm)
        else:
            _check_same_region(self._service_endpoint, own)
        self.region = own


def _require_known_region(region: str) -> None:
    """Refuse an OCID region we cannot derive a host for (a typo costs a DNS error later)."""
    if region in REGION_REALMS:
        return
    close = difflib.get_close_matches(region, REGION_REALMS, n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigurationError(
        f"the endpoint OCID names region {region!r}, which Locus does not know{guess}; "
        "check the OCID for a typo, or pass service_endpoint=... for a region newer than Locus"
    )


def _check_same_region(service_endpoint: str, ocid_region: str) -> None:
    host_region = region_of_endpoint(service_endpoint)
    if host_region is not None and host_region != ocid_region:
        raise ConfigurationError(
            f"service_endpoint {service_endpoint} is in region {host_region!r} but the DAC "
            f"endpoint OCID is in region {ocid_region!r}; a DAC endpoint is only served in its "
            f"own region: use https://inference.generativeai.{ocid_region}.oci.<realm domain> "
            "or leave service_endpoint unset to derive it"
        )
