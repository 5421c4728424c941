"""The inference host of every region, checked against the official ``oci`` SDK (the
oracle for the wire): what ``GenerativeAiInferenceClient`` would call for a region, by
``oci.regions.endpoint_for`` with the client's own endpoint template.

A region the SDK knows and our table (``_region_table.py``, transcribed from the SDK)
does not is checked through the path a new region takes: the realm read from the
endpoint OCID (``realm=``). A realm our table lacks fails here, naming it.
"""

from __future__ import annotations

import inspect
import re

import pytest
from oci import regions as sdk
from oci.generative_ai_inference import GenerativeAiInferenceClient

from locus.models.providers.oci._region_table import REALM_DOMAINS, REGION_REALMS
from locus.models.providers.oci.regions import inference_endpoint, region_of_endpoint


def _template() -> str:
    """The client's endpoint template, read from its source (no dual-stack option)."""
    source = inspect.getsource(GenerativeAiInferenceClient.__init__)
    found = re.search(r"'service_endpoint_template': '([^']+)'", source)
    assert found is not None, "the oci SDK's client no longer names its endpoint template"
    return found.group(1).replace("{dualStack?ds.:}", "")


TEMPLATE = _template()


def _theirs(region: str) -> str:
    return str(
        sdk.endpoint_for(
            "generative_ai_inference", region=region, service_endpoint_template=TEMPLATE
        )
    )


@pytest.mark.parametrize("region", sorted(sdk.REGION_REALMS))
def test_every_region_of_the_sdk_has_the_sdk_s_inference_host(region: str) -> None:
    realm = sdk.REGION_REALMS[region]
    assert realm in REALM_DOMAINS, f"realm {realm} (of {region}) is missing from the table"
    given_realm = None if region in REGION_REALMS else realm  # (a new region: from its OCID)
    ours = inference_endpoint(region, realm=given_realm)
    assert ours == _theirs(region)
    assert region_of_endpoint(ours) == region


@pytest.mark.parametrize("code", sorted(sdk.REGIONS_SHORT_NAMES))
def test_every_short_code_of_the_sdk_names_the_same_host(code: str) -> None:
    assert inference_endpoint(code) == _theirs(code)
