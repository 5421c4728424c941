"""``HTTPChatModel.prepare()``: the first call's setup done ahead (credentials, the loop's
client), on the emulator over real HTTP; bad credentials raise there, as the call would."""

from __future__ import annotations

import pytest

from locus.core.errors import CredentialsError
from locus.core.messages import Message
from locus.emulator import Emulator
from tests.integration.conftest import OCIModelFactory

HI = [Message.user("hi")]


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_prepare_loads_credentials_and_opens_the_client_the_call_then_uses(
    oci_model: OCIModelFactory, backend: str
) -> None:
    model = oci_model(http_backend=backend)
    assert model.http_client is None
    await model.prepare()
    client = model.http_client
    assert client is not None and not client.is_closed
    assert model.connection.auth is not None  # (raises before the credentials are loaded)
    await model.prepare()  # again: nothing new
    assert model.http_client is client
    assert (await model.complete(HI)).text
    assert model.http_client is client  # the call used the client prepare opened


async def test_prepare_raises_what_the_first_call_would(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = oci_model(config_file=emu.config_file, profile_name="NOPE")
    with pytest.raises(CredentialsError, match=r"profile \[NOPE\] not found"):
        await model.prepare()
    with pytest.raises(CredentialsError, match=r"profile \[NOPE\] not found"):
        await model.complete(HI)
