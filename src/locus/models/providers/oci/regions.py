"""Regions, realms and the Generative AI inference host of a region.

The inference host is ``https://inference.generativeai.<region>.oci.<realm domain>``
(wire-spec §1.1); a region short code such as ``ord`` is accepted for its full name.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from locus.core.errors import ConfigurationError
from locus.models.providers.oci._region_table import REALM_DOMAINS, REGION_REALMS, SHORT_NAMES

__all__ = [
    "inference_endpoint",
    "normalise_region",
    "realm_of",
    "region_of_endpoint",
]

_REGION_SHAPE = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+-\d+$")
_OCI_HOST = re.compile(
    r"^[a-z0-9.-]*?\.([a-z]{2,}(?:-[a-z0-9]+)+-\d+)\.(?:ds\.)?oci\.([a-z0-9.]+)$"
)


def normalise_region(region: str) -> str:
    """The canonical name of a region given by name or short code (``ord``)."""
    name = region.strip().lower()
    name = SHORT_NAMES.get(name, name)
    if not _REGION_SHAPE.match(name):
        raise ConfigurationError(
            f"{region!r} is not an OCI region name (expected something like 'us-chicago-1')"
        )
    return name


def realm_of(region: str, default: str = "oc1") -> str:
    """The realm of a region; an unknown region belongs to ``default``."""
    return REGION_REALMS.get(normalise_region(region), default)


def inference_endpoint(region: str, *, realm: str | None = None) -> str:
    """The Generative AI inference base URL of a region (no ``/20231130``)."""
    name = normalise_region(region)
    realm_name = REGION_REALMS.get(name) or (realm or "oc1").lower()
    domain = REALM_DOMAINS.get(realm_name)
    if domain is None:
        raise ConfigurationError(f"unknown OCI realm {realm_name!r} for region {name!r}")
    return f"https://inference.generativeai.{name}.oci.{domain}"


def region_of_endpoint(url: str) -> str | None:
    """The region an OCI service URL points at, or ``None`` for any other host.

    Loopback addresses, private-endpoint FQDNs and non-OCI hosts give ``None``.
    """
    host = (urlsplit(url).hostname or "").lower()
    match = _OCI_HOST.match(host)
    if match is None or match.group(2) not in set(REALM_DOMAINS.values()):
        return None
    return match.group(1)


def realm_domain_of_endpoint(url: str) -> str | None:
    """The realm domain an OCI service URL is in (``oraclegovcloud.com``), or ``None`` for
    any other host (as ``region_of_endpoint``). For ``_service_endpoint``; not exported."""
    host = (urlsplit(url).hostname or "").lower()
    match = _OCI_HOST.match(host)
    if match is None or match.group(2) not in set(REALM_DOMAINS.values()):
        return None
    return match.group(2)
