"""A model call given something else than a list of ``Message``s fails with a typed error
that says what to pass, before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.emulator import Emulator
from tests.integration.conftest import OCIModelFactory


@pytest.mark.parametrize(
    ("messages", "says"),
    [
        ("Count to 5.", "not str"),
        (None, "not NoneType"),
        (["Count to 5."], "messages[0] is a str"),
        ([Message.user("hi"), {"role": "user", "content": "hi"}], "messages[1] is a dict"),
    ],
)
@pytest.mark.parametrize("streamed", [False, True])
async def test_a_wrong_messages_argument_is_a_configuration_error(
    emu: Emulator, oci_model: OCIModelFactory, messages: Any, says: str, streamed: bool
) -> None:
    model = oci_model()
    with pytest.raises(ConfigurationError) as caught:
        if streamed:
            async for _ in model.stream(messages):
                pass
        else:
            await model.complete(messages)
    assert says in str(caught.value)
    assert "Message.user" in str(caught.value)  # says what to pass
    assert emu.requests == []  # nothing was sent


async def test_a_good_call_after_a_bad_one_works(oci_model: OCIModelFactory) -> None:
    model = oci_model()
    with pytest.raises(ConfigurationError):
        await model.complete("hi")  # type: ignore[arg-type]
    response = await model.complete([Message.user("Count from 1 to 3, separated by commas.")])
    assert response.message.text
