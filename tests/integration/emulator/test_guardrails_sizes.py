"""The emulator's applyGuardrails on large, adversarial texts: answered in linear time
(its scoring runs on the server's event loop, so a slow pattern stalls every request)."""

from __future__ import annotations

import asyncio

import pytest

from locus.emulator import Emulator
from locus.guardrails import OCIGuardrails
from locus.models.providers.oci import OCIAuthType

ALL_PII = ["EMAIL", "TELEPHONE_NUMBER", "CREDIT_DEBIT_NUMBER"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("a" * 200_000 + " x", 0),  # one run of e-mail characters with no @: was 8 s per 60k
        ("1" * 200_000, 0),
        ("a@" + "b." * 100_000 + "!", 0),
        ("a@b.co " * 50_000, 50_000),  # many spans: was 21 s for 20k
    ],
    ids=["letters", "digits", "dots", "emails"],
)
async def test_large_adversarial_texts_are_scored_quickly(
    oci_emulator: Emulator, text: str, found: int
) -> None:
    client = OCIGuardrails(
        oci_emulator.compartment_id,
        service_endpoint=oci_emulator.service_endpoint,
        config_file=oci_emulator.config_file,
        profile_name=oci_emulator.profile,
        auth_type=OCIAuthType.API_KEY,
        pii=ALL_PII,
        timeout=30,
    )
    try:
        result = await asyncio.wait_for(client.check(text), 15)
    finally:
        await client.aclose()
    assert len(result.pii or ()) == found
    for entity in (result.pii or ())[:3]:
        assert text[entity.offset : entity.offset + entity.length] == entity.text == "a@b.co"
