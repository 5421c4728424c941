"""OCIDs: ``ocid1.<resource type>.<realm>.[region][.future].<unique id>``.

Only the shape is checked; no OCID is ever looked up.
"""

from __future__ import annotations

from dataclasses import dataclass

from locus.core.errors import ConfigurationError

__all__ = ["ENDPOINT_PREFIX", "Ocid", "is_endpoint_ocid", "parse_ocid"]

ENDPOINT_PREFIX = "ocid1.generativeaiendpoint."
"""The prefix every Oracle integration keys a DAC endpoint on (wire-spec §8.1)."""


@dataclass(frozen=True, slots=True)
class Ocid:
    """The parts of an OCID; ``region`` is ``""`` for regionless resources (tenancy, user)."""

    resource_type: str
    realm: str
    region: str
    unique_id: str

    @property
    def is_endpoint(self) -> bool:
        """True for a Generative AI (DAC) endpoint."""
        return self.resource_type == "generativeaiendpoint"


def is_endpoint_ocid(value: str) -> bool:
    """True when ``value`` names a DAC endpoint (any letter case)."""
    return value.strip().lower().startswith(ENDPOINT_PREFIX)


def parse_ocid(value: str) -> Ocid:
    """Split an OCID into its parts (lower-cased type, realm and region)."""
    parts = value.strip().split(".")
    if len(parts) < 5 or parts[0].lower() != "ocid1" or not parts[-1]:
        raise ConfigurationError(
            f"{value!r} is not an OCID (expected ocid1.<type>.<realm>.<region>.<unique id>)"
        )
    return Ocid(
        resource_type=parts[1].lower(),
        realm=parts[2].lower(),
        region=parts[3].lower(),
        unique_id=parts[-1],
    )
