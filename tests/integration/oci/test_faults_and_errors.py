"""Retries and typed errors against the emulator's real faults and checks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.agent import Agent
from locus.core.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StreamError,
)
from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models.http import RetryPolicy
from locus.models.openai_compatible import OpenAICompatibleModel
from locus.models.providers.oci import OCIModel
from tests.integration.conftest import OCIModelFactory

from .conftest import Recorder

COUNT = [Message.user("Count from 1 to 5, separated by commas.")]


def _model(
    emu: Emulator, oci_model: OCIModelFactory, style: str = "native", **options: object
) -> OCIModel:
    return oci_model(emu.endpoint(style=style)["ocid"], **options)


async def test_429_with_retry_after_is_honoured(emu: Emulator, oci_model: OCIModelFactory) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["429_retry_after"], target=ocid)
    sleep = Recorder()
    model = oci_model(ocid, retry_policy=RetryPolicy(sleep=sleep))
    response = await model.complete(COUNT)
    assert response.text == "1, 2, 3, 4, 5" and sleep.waits == [1.0]
    assert emu.fired_faults == {"429_retry_after": 1}


async def test_503_then_success_and_out_of_retries(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["503", "500"], target=ocid)
    model = oci_model(ocid)
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert emu.fired_faults == {"503": 1, "500": 1}
    emu.set_faults(["503", "503", "503"], target=ocid)
    with pytest.raises(ServerError) as info:
        await oci_model(ocid, max_retries=2).complete(COUNT)
    assert info.value.status == 503 and info.value.code == "ServiceUnavailable"
    assert info.value.request_id
    assert emu.fired_faults == {"503": 4, "500": 1}


async def test_429_out_of_retries_is_typed(emu: Emulator, oci_model: OCIModelFactory) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["429", "429"], target=ocid)
    with pytest.raises(RateLimitError, match="TooManyRequests"):
        await oci_model(ocid, max_retries=1).complete(COUNT)
    assert emu.fired_faults == {"429": 2}


async def test_stream_reset_before_first_event_is_retried(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["reset_before"], target=ocid)
    deltas = [e.content async for e in oci_model(ocid).stream(COUNT) if e.content]
    assert "".join(deltas) == "1, 2, 3, 4, 5" and len(deltas) > 1
    assert emu.fired_faults == {"reset_before": 1}


async def test_stream_reset_during_is_a_stream_error(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["reset_during"], target=ocid)
    shown: list[str] = []
    with pytest.raises(StreamError):
        async for event in oci_model(ocid).stream(COUNT):
            shown.append(event.content or "")
    assert shown, "the break came after the first event, so it is not retried"
    assert emu.fired_faults == {"reset_during": 1}


async def test_malformed_event_is_a_stream_error(emu: Emulator, oci_model: OCIModelFactory) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["malformed_event"], target=ocid)
    with pytest.raises(StreamError):
        async for _ in oci_model(ocid, max_retries=0).stream(COUNT):
            pass
    assert emu.fired_faults == {"malformed_event": 1}


@pytest.mark.slow  # the emulator's shutdown waits ~2 s for the held connection
async def test_done_marker_and_held_connection(emu: Emulator, oci_model: OCIModelFactory) -> None:
    emu.configure(done_marker=True, hold_open=5.0)
    model = _model(emu, oci_model)
    started = time.monotonic()
    events = [e async for e in model.stream(COUNT)]
    assert events[-1].done and events[-1].usage
    assert time.monotonic() - started < 2.5, "the client does not wait for the server to hang up"


async def test_wrong_compartment_is_not_found_with_a_hint(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    model = _model(emu, oci_model, compartment_id="ocid1.compartment.oc1..someoneelse")
    with pytest.raises(NotFoundError) as info:
        await model.complete(COUNT)
    assert info.value.code == "NotAuthorizedOrNotFound" and info.value.hint
    assert "compartment" in info.value.hint and "policy" in info.value.hint


async def test_unknown_endpoint_is_not_found(emu: Emulator, oci_model: OCIModelFactory) -> None:
    ocid = f"ocid1.generativeaiendpoint.oc1.{emu.region}.amaaaaaanosuchendpoint"
    with pytest.raises(NotFoundError, match="NotAuthorizedOrNotFound"):
        await oci_model(ocid).complete(COUNT)


async def test_wrong_api_format_for_a_dac_says_so(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    cohere = emu.endpoint(style="cohere")
    with pytest.raises(BadRequestError) as info:
        await oci_model(cohere["ocid"], api_format="generic").complete(COUNT)
    assert info.value.hint is not None and "api_format='cohere'" in info.value.hint


async def test_wrong_key_is_an_authentication_error(
    emu: Emulator, oci_model: OCIModelFactory, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "other.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    config = Path(emu.config_file).read_text()
    lines = [ln for ln in config.splitlines() if not ln.startswith("key_file")]
    (tmp_path / "config").write_text("\n".join([*lines, f"key_file={tmp_path / 'other.pem'}"]))
    model = oci_model(emu.endpoint(style="native")["ocid"], config_file=tmp_path / "config")
    async with model:
        with pytest.raises(AuthenticationError) as info:
            await model.complete(COUNT)
    assert info.value.hint is not None and "does not match its key_file" in info.value.hint
    assert "BEGIN" not in str(info.value)


async def test_body_reset_on_complete_is_retried(emu: Emulator, oci_model: OCIModelFactory) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["reset_during"], target=ocid)
    assert (await oci_model(ocid).complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert emu.fired_faults == {"reset_during": 1}


async def test_slow_first_byte_times_out_then_retries(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["slow_first_byte"], target=ocid)
    model = oci_model(ocid, timeout=0.3)
    assert (await model.complete(COUNT)).text == "1, 2, 3, 4, 5"
    assert emu.fired_faults == {"slow_first_byte": 1}


async def test_concurrent_calls_share_the_model(emu: Emulator, oci_model: OCIModelFactory) -> None:
    import asyncio

    model = oci_model(emu.endpoint(style="native")["ocid"])
    replies = await asyncio.gather(*(model.complete(COUNT) for _ in range(20)))
    assert {r.text for r in replies} == {"1, 2, 3, 4, 5"}
    assert len({r.request_id for r in replies}) == 20


@pytest.mark.parametrize(
    ("model_id", "api_format"),
    [
        ("meta.llama-3.3-70b-instruct", None),
        ("cohere.command-r-plus-08-2024", None),
        ("cohere.command-a-03-2025", "cohere_v2"),
    ],
)
async def test_error_event_mid_stream_is_a_stream_error_with_its_message(
    emu: Emulator, oci_model: OCIModelFactory, model_id: str, api_format: str | None
) -> None:
    """The model fails halfway: what was shown stays shown, the error says what happened."""
    emu.set_faults(["error_event"], target=model_id)
    model = oci_model(model_id, **({"api_format": api_format} if api_format else {}))
    shown: list[str] = []
    with pytest.raises(StreamError, match="emulator fault error_event") as info:
        async for event in model.stream(COUNT):
            shown.append(event.content or "")
    assert "".join(shown) and "".join(shown) != "1, 2, 3, 4, 5"
    assert "during the stream" in str(info.value)
    assert emu.fired_faults == {"error_event": 1}


async def test_error_event_fails_the_agent_run(emu: Emulator, oci_model: OCIModelFactory) -> None:
    """An agent never turns a model failure into a short answer: ``arun()`` (nobody sees
    its events) tries the call again within its retry budget, then fails with the error."""
    ocid = emu.endpoint(style="native")["ocid"]
    emu.set_faults(["error_event"] * 20, target=ocid)
    agent = Agent(oci_model(ocid))
    with pytest.raises(StreamError, match="error_event"):
        await agent.arun(COUNT[0].text or "")
    attempts = emu.fired_faults["error_event"]
    assert 1 < attempts < 20, attempts  # retried, and given up on within the budget


async def test_error_object_in_an_openai_stream_is_a_stream_error(emu: Emulator) -> None:
    model_id = "meta.llama-3.3-70b-instruct"
    emu.set_faults(["error_event"], target=model_id)
    model = OpenAICompatibleModel(
        model_id, base_url=f"{emu.service_endpoint}/openai/v1", api_key=emu.api_key
    )
    async with model:
        with pytest.raises(StreamError, match="emulator fault error_event"):
            async for _ in model.stream(COUNT):
                pass
    assert emu.fired_faults == {"error_event": 1}
