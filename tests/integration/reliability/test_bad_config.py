"""Bad-input table, configuration side: broken config files and mistyped DAC OCIDs.

Config problems fail before any request, naming the file, profile and entry; a key
the service does not accept comes back as a 401 whose hint diagnoses the fingerprint;
a mistyped endpoint OCID ends as a typed error that says what to check.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from locus.core.errors import (
    AuthenticationError,
    ConfigurationError,
    CredentialsError,
    NotFoundError,
)
from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models import get_model
from tests.integration.conftest import OCIModelFactory
from tests.integration.reliability._canned import CannedServer

HI = [Message.user("hi")]
WRONG_FINGERPRINT = "12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0"


def edited_config(emu: Emulator, tmp_path: Path, pattern: str, replacement: str) -> str:
    text = Path(emu.config_file).read_text()
    edited, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert count == 1
    path = tmp_path / "config"
    path.write_text(edited)
    return str(path)


@pytest.mark.parametrize("entry", ["key_file", "fingerprint", "tenancy", "user"])
async def test_a_config_file_with_a_missing_entry(
    emu: Emulator, oci_model: OCIModelFactory, tmp_path: Path, entry: str
) -> None:
    config = edited_config(emu, tmp_path, rf"^{entry}\s*=.*\n", "")
    async with CannedServer(b"{}") as server:
        model = oci_model(service_endpoint=server.url, config_file=config)
        with pytest.raises(CredentialsError) as info:
            await model.complete(HI)
    assert server.requests == 0  # refused before any request
    assert f"profile [DEFAULT] in {config} has no '{entry}' entry" in str(info.value)


async def test_a_config_file_with_a_bad_fingerprint(
    emu: Emulator, oci_model: OCIModelFactory, tmp_path: Path
) -> None:
    config = edited_config(
        emu, tmp_path, r"^fingerprint\s*=.*$", f"fingerprint={WRONG_FINGERPRINT}"
    )
    with pytest.raises(AuthenticationError) as info:
        await oci_model(config_file=config).complete(HI)
    error = info.value
    assert (error.status, error.code) == (401, "NotAuthenticated")
    assert error.hint is not None
    assert f"fingerprint {WRONG_FINGERPRINT} does not match its key_file" in error.hint


async def test_a_dac_ocid_with_a_typo_in_its_unique_part(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    ocid = emu.endpoint("hermes")["ocid"]
    typo = ocid[:-3] + "zzz"
    with pytest.raises(NotFoundError) as info:
        await oci_model(typo).complete(HI)
    error = info.value
    assert (error.status, error.code) == (404, "NotAuthorizedOrNotFound")
    assert error.hint is not None and f"the DAC endpoint {typo} was not found" in error.hint
    assert "policy" in error.hint


async def test_a_dac_ocid_with_a_typo_in_its_region_names_both_regions(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    typo = emu.endpoint("hermes")["ocid"].replace(emu.region, "us-chicgo-1")
    with pytest.raises(NotFoundError, match="it is in us-chicgo-1, this service is us-chicago-1"):
        await oci_model(typo).complete(HI)


def test_a_region_typo_without_an_endpoint_is_refused_before_any_request(emu: Emulator) -> None:
    typo = emu.endpoint("hermes")["ocid"].replace(emu.region, "us-chicgo-1")
    with pytest.raises(ConfigurationError, match="us-chicago-1"):
        get_model(f"oci:{typo}", config_file=emu.config_file)


def test_a_typo_in_the_ocid_resource_type_is_refused(emu: Emulator) -> None:
    typo = emu.endpoint("hermes")["ocid"].replace("generativeaiendpoint", "generativeaiendpont")
    with pytest.raises(ConfigurationError, match=r"ocid1\.generativeaiendpoint"):
        get_model(f"oci:{typo}", config_file=emu.config_file)


async def test_a_typo_in_the_ocid_resource_type_given_to_ocimodel(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    typo = emu.endpoint("hermes")["ocid"].replace("generativeaiendpoint", "generativeaiendpont")
    with pytest.raises(ConfigurationError, match="generativeaiendpont"):
        oci_model(typo)
