"""OCIDs, regions, realms and service endpoints."""

from __future__ import annotations

import pytest

from locus.core.errors import ConfigurationError
from locus.models.providers.oci._ocid import is_endpoint_ocid, parse_ocid
from locus.models.providers.oci.regions import (
    inference_endpoint,
    normalise_region,
    realm_of,
    region_of_endpoint,
)

DAC = "ocid1.generativeaiendpoint.oc1.uk-london-1.amaaaaaaexampleendpointid"


def test_parse_endpoint_ocid() -> None:
    ocid = parse_ocid(DAC)
    assert (ocid.resource_type, ocid.realm, ocid.region) == (
        "generativeaiendpoint",
        "oc1",
        "uk-london-1",
    )
    assert ocid.is_endpoint and ocid.unique_id == "amaaaaaaexampleendpointid"


def test_regionless_ocid() -> None:
    assert parse_ocid("ocid1.tenancy.oc1..aaaaaaaabc").region == ""


@pytest.mark.parametrize("value", ["", "ocid1.x", "meta.llama-3.3-70b-instruct", "ocid2.a.b.c.d"])
def test_not_an_ocid(value: str) -> None:
    with pytest.raises(ConfigurationError, match="not an OCID"):
        parse_ocid(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (DAC, True),
        (DAC.upper(), True),
        ("  " + DAC, True),
        ("ocid1.generativeaimodel.oc1.us-chicago-1.abc", False),
        ("cohere.command-r-plus-08-2024", False),
    ],
)
def test_is_endpoint_ocid(value: str, expected: bool) -> None:
    assert is_endpoint_ocid(value) is expected


@pytest.mark.parametrize(
    ("region", "url"),
    [
        ("us-chicago-1", "https://inference.generativeai.us-chicago-1.oci.oraclecloud.com"),
        ("ORD", "https://inference.generativeai.us-chicago-1.oci.oraclecloud.com"),
        ("eu-frankfurt-2", "https://inference.generativeai.eu-frankfurt-2.oci.oraclecloud.eu"),
        ("us-langley-1", "https://inference.generativeai.us-langley-1.oci.oraclegovcloud.com"),
        ("uk-gov-london-1", "https://inference.generativeai.uk-gov-london-1.oci.oraclegovcloud.uk"),
    ],
)
def test_inference_endpoint_is_realm_aware(region: str, url: str) -> None:
    assert inference_endpoint(region) == url


def test_unknown_region_uses_the_ocid_realm() -> None:
    assert inference_endpoint("xx-newplace-1", realm="oc19").endswith(".oci.oraclecloud.eu")
    assert realm_of("xx-newplace-1") == "oc1"


def test_bad_region_name() -> None:
    with pytest.raises(ConfigurationError, match="not an OCI region"):
        normalise_region("chicago")


@pytest.mark.parametrize(
    ("url", "region"),
    [
        ("https://inference.generativeai.us-chicago-1.oci.oraclecloud.com", "us-chicago-1"),
        ("https://inference.generativeai.eu-frankfurt-1.ds.oci.oraclecloud.com", "eu-frankfurt-1"),
        ("https://inference.generativeai.us-chicago-1.oci.oraclecloud.com:443/", "us-chicago-1"),
        ("http://127.0.0.1:8443", None),
        ("https://my-private-endpoint.example.com", None),
    ],
)
def test_region_of_endpoint(url: str, region: str | None) -> None:
    assert region_of_endpoint(url) == region
