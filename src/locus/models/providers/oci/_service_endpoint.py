"""The service endpoint of a model: a given one cleaned, or the one a DAC endpoint OCID's
region implies (and a given one checked against that region)."""

from __future__ import annotations

from urllib.parse import urlsplit

from locus.core._checks import did_you_mean
from locus.core.errors import ConfigurationError
from locus.models.providers.oci._ocid import Ocid
from locus.models.providers.oci._region_table import REGION_REALMS
from locus.models.providers.oci.regions import (
    inference_endpoint,
    normalise_region,
    realm_domain_of_endpoint,
    region_of_endpoint,
)

__all__ = ["clean_service_endpoint", "pin_to_ocid"]

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


def pin_to_ocid(
    ocid: Ocid, region: str | None, service_endpoint: str | None
) -> tuple[str | None, str | None]:
    """``(region, service_endpoint)`` for a DAC endpoint OCID: a DAC is served only in the
    region its OCID names, so a given region or endpoint elsewhere is refused."""
    if not ocid.region:
        return region, service_endpoint
    own = normalise_region(ocid.region)
    if region and region != own:
        raise ConfigurationError(
            f"region={region!r} does not match the endpoint OCID's region {own!r}"
        )
    if service_endpoint is None:
        _require_known_region(own)
        return own, inference_endpoint(own, realm=ocid.realm)
    _check_same_region(service_endpoint, own)
    _check_same_realm(service_endpoint, own, ocid.realm)
    return own, service_endpoint


def _require_known_region(region: str) -> None:
    """Refuse an OCID region we cannot derive a host for (a typo costs a DNS error later)."""
    if region in REGION_REALMS:
        return
    raise ConfigurationError(
        f"the endpoint OCID names region {region!r}, which Locus does not know"
        f"{did_you_mean(region, REGION_REALMS)}; check the OCID for a typo, or pass "
        "service_endpoint=... for a region newer than Locus"
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


def _check_same_realm(service_endpoint: str, ocid_region: str, ocid_realm: str | None) -> None:
    """An OCI host in the right region but another realm's domain (``oraclecloud.com`` for
    a government-cloud OCID) would fail later with a DNS or TLS error: refused now."""
    domain = realm_domain_of_endpoint(service_endpoint)
    if domain is None or (ocid_region not in REGION_REALMS and not ocid_realm):
        return
    expected = inference_endpoint(ocid_region, realm=ocid_realm)
    wanted = realm_domain_of_endpoint(expected)
    if wanted is not None and domain != wanted:
        raise ConfigurationError(
            f"service_endpoint {service_endpoint} is in the realm domain {domain!r} but the DAC "
            f"endpoint OCID's region {ocid_region!r} is served at {wanted!r}: use {expected} "
            "or leave service_endpoint unset to derive it"
        )
