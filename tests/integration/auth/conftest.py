"""An emulator of its own per test (tokens, switches and env vars must not leak); models
come from ``oci_model`` (``tests/integration/conftest.py``) with no credentials preset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models.providers.oci import OCIModel
from tests.integration.conftest import ON_DEMAND

MODEL = ON_DEMAND

ASK = [Message.user("In one sentence, what model are you?")]
COUNT = [Message.user("Count from 1 to 5, separated by commas.")]

_PRINCIPAL_ENV = (
    "OCI_METADATA_BASE_URL",
    "OCI_FEDERATION_ENDPOINT",
    "OCI_RESOURCE_PRINCIPAL_VERSION",
    "OCI_RESOURCE_PRINCIPAL_RPST",
    "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM",
    "OCI_RESOURCE_PRINCIPAL_REGION",
    "OCI_AUTH_TYPE",
    "OCI_CONFIG_FILE",
    "OCI_PROFILE",
    "OCI_REGION",
    "OCI_COMPARTMENT_ID",
    "OCI_GENAI_API_KEY",
)


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """A fresh emulator, with the principal environment cleared around the test."""
    for name in _PRINCIPAL_ENV:
        monkeypatch.delenv(name, raising=False)
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def oci_model_defaults() -> dict[str, Any]:
    """No profile or auth type by default (each test picks its credentials), no retries."""
    return {"max_retries": 0}


async def streamed_text(model: OCIModel) -> tuple[str, int]:
    """The text of a streamed answer to COUNT and the number of text deltas."""
    deltas = [event.content async for event in model.stream(COUNT) if event.content]
    return "".join(deltas), len(deltas)


def config_with_other_key(emu: Emulator, folder: Path) -> Path:
    """A copy of the emulator's config whose key_file is another key (same fingerprint)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = folder / "other.pem"
    other.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    lines = Path(emu.config_file).read_text().splitlines()
    lines = [f"key_file={other}" if line.startswith("key_file=") else line for line in lines]
    config = folder / "config"
    config.write_text("\n".join(lines) + "\n")
    return config
