"""``OCIGuardrails`` on the session emulator (signed with its API key), closed after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from locus.emulator import Emulator
from locus.guardrails import OCIGuardrails
from locus.models.providers.oci import OCIAuthType

GuardrailsFactory = Callable[..., OCIGuardrails]


def place(emu: Emulator) -> dict[str, Any]:
    """The keywords that point a client at ``emu`` and sign with its API key."""
    return {
        "service_endpoint": emu.service_endpoint,
        "config_file": emu.config_file,
        "profile_name": emu.profile,
        "auth_type": OCIAuthType.API_KEY,
    }


@pytest.fixture
async def guardrails(emu: Emulator) -> AsyncIterator[GuardrailsFactory]:
    """``guardrails(**options)`` on ``emu`` in its compartment; closed after the test."""
    built: list[OCIGuardrails] = []

    def make(**options: Any) -> OCIGuardrails:
        client = OCIGuardrails(emu.compartment_id, **{**place(emu), **options})
        built.append(client)
        return client

    yield make
    for client in built:
        await client.aclose()
