"""``ApplyGuardrails`` failing under a run: 429, 5xx, timeouts, a wrong setup and malformed
answers, fail closed by default and open when asked; streaming runs; long inputs; and the
guarded text never in a log line."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from locus.agent import Agent, ModelTextDelta, RunFinished
from locus.core.errors import (
    ModelError,
    ModelTimeoutError,
    NotFoundError,
    RateLimitError,
    ResponseError,
    ServerError,
)
from locus.emulator import Emulator
from locus.guardrails import OCIGuardrails, OCIGuardrailTripped, oci_guardrails
from tests.deadlines import within

from ..conftest import OCIModelFactory
from .conftest import GuardrailsFactory, place

SECRET = "Mail jo.secret@example.com about the order 4111 1111 1111 1111."


def _operations(emu: Emulator) -> list[str]:
    return [r.operation for r in emu.requests]


@pytest.mark.parametrize(
    ("fault", "error"), [("429", RateLimitError), ("500", ServerError), ("503", ServerError)]
)
async def test_a_failed_check_ends_the_run_before_the_model_by_default(
    emu: Emulator,
    oci_model: OCIModelFactory,
    guardrails: GuardrailsFactory,
    fault: str,
    error: type[ModelError],
) -> None:
    emu.set_faults([fault], target="guardrails")
    agent = Agent(model=oci_model(), hooks=[oci_guardrails(guardrails(max_retries=0))])
    with pytest.raises(error) as caught:
        await agent.arun("Say hello.")
    assert str(caught.value.endpoint).endswith("/actions/applyGuardrails")
    assert caught.value.result is not None and caught.value.result.error is caught.value
    assert _operations(emu) == ["applyGuardrails"]  # the model never saw the text


async def test_on_error_allow_lets_the_text_on_and_warns_without_it(
    emu: Emulator,
    oci_model: OCIModelFactory,
    guardrails: GuardrailsFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emu.set_faults(["503"], target="guardrails")
    hook = oci_guardrails(guardrails(max_retries=0), on_error="allow")
    agent = Agent(model=oci_model(), hooks=[hook])
    with caplog.at_level(logging.DEBUG):
        result = await agent.arun(SECRET)
    assert SECRET in result.message
    assert _operations(emu) == ["applyGuardrails", "chat"]
    warnings = [r for r in caplog.records if r.name == "locus.guardrails"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    line = warnings[0].getMessage()
    assert "user input" in line and "ServerError 503" in line and " of run " in line
    assert all("secret" not in r.getMessage() for r in caplog.records)


async def test_a_timeout_is_typed_and_the_policy_applies(
    emu: Emulator, oci_model: OCIModelFactory, guardrails: GuardrailsFactory
) -> None:
    emu.configure(slow_first_byte=2.0)
    emu.set_faults(["slow_first_byte", "slow_first_byte"], target="guardrails")
    closed = oci_guardrails(guardrails(timeout=0.3, max_retries=0))
    with pytest.raises(ModelTimeoutError):
        await Agent(model=oci_model(), hooks=[closed]).arun("Say hello.")
    seen: list[tuple[str, str]] = []

    def decide(error: ModelError, what: str) -> bool:
        seen.append((type(error).__name__, what))
        return True

    opened = oci_guardrails(guardrails(timeout=0.3, max_retries=0), on_error=decide)
    result = await Agent(model=oci_model(), hooks=[opened]).arun("Say hello.")
    assert "Say hello." in result.message
    assert seen == [("ModelTimeoutError", "user input")]


async def test_a_wrong_setup_ends_the_run_even_when_failing_open(
    emu: Emulator, oci_model: OCIModelFactory
) -> None:
    wrong = OCIGuardrails("ocid1.compartment.oc1..nowhere", **place(emu))
    hook = oci_guardrails(wrong, on_error="allow")
    try:
        with pytest.raises(NotFoundError):
            await Agent(model=oci_model(), hooks=[hook]).arun("Say hello.")
    finally:
        await wrong.aclose()
    assert _operations(emu) == ["applyGuardrails"]


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
async def canned() -> AsyncIterator[Callable[[bytes], Awaitable[str]]]:
    """``await canned(body)``: the endpoint of a loopback server answering ``body``
    (200, application/json) to every request."""
    servers: list[asyncio.Server] = []

    async def serve(body: bytes) -> str:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            await reader.readexactly(length)
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"opc-request-id: canned\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s"
                % (len(body), body)
            )
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    yield serve
    for server in servers:
        server.close()
        await within(server.wait_closed(), "the canned server closed")


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"results": {"promptInjection": {"score": "high"}}}',
        b'{"results": {"personallyIdentifiableInformation": [{"label": "EMAIL"}]}}',
    ],
)
async def test_a_malformed_answer_is_a_response_error_and_the_policy_applies(
    emu: Emulator,
    oci_model: OCIModelFactory,
    canned: Callable[[bytes], Awaitable[str]],
    body: bytes,
) -> None:
    endpoint = await canned(body)
    options: dict[str, Any] = {**place(emu), "service_endpoint": endpoint, "max_retries": 0}
    async with OCIGuardrails(emu.compartment_id, **options) as client:
        with pytest.raises(ResponseError):
            await client.check("hello")
        with pytest.raises(ResponseError):
            await Agent(model=oci_model(), hooks=[oci_guardrails(client)]).arun("Say hello.")
        hook = oci_guardrails(client, on_error="allow")
        result = await Agent(model=oci_model(), hooks=[hook]).arun("Say hello.")
        assert "Say hello." in result.message


async def test_a_cut_answer_is_not_echoed_into_the_error(
    emu: Emulator, canned: Callable[[bytes], Awaitable[str]]
) -> None:
    """A truncated JSON answer may hold the checked text (PII spans quote it): the error
    gives its size, not its bytes; a page that is not JSON (a proxy's) is shown."""
    cut = b'{"results": {"personallyIdentifiableInformation": [{"text": "ann@example.com", "lab'
    options: dict[str, Any] = {**place(emu), "service_endpoint": await canned(cut)}
    async with OCIGuardrails(emu.compartment_id, max_retries=0, **options) as client:
        with pytest.raises(ResponseError) as caught:
            await client.check("mail ann@example.com")
    assert "ann@" not in str(caught.value) and f"{len(cut)} bytes of JSON" in str(caught.value)
    page = b"<html><body>502 Bad Gateway</body></html>"
    options["service_endpoint"] = await canned(page)
    async with OCIGuardrails(emu.compartment_id, max_retries=0, **options) as client:
        with pytest.raises(ResponseError, match="502 Bad Gateway"):
            await client.check("hello")


async def test_a_wrong_compartment_hint_names_apply_guardrails_not_a_model(emu: Emulator) -> None:
    async with OCIGuardrails("ocid1.compartment.oc1..nowhere", **place(emu)) as wrong:
        with pytest.raises(NotFoundError) as caught:
            await wrong.check("hello")
    assert "ApplyGuardrails was not found or not authorized" in str(caught.value)
    assert "model 'guardrails'" not in str(caught.value)


async def test_a_streamed_run_is_blocked_before_any_text(
    emu: Emulator, oci_model: OCIModelFactory, guardrails: GuardrailsFactory
) -> None:
    agent = Agent(model=oci_model(), hooks=[oci_guardrails(guardrails())])
    events: list[object] = []
    with pytest.raises(OCIGuardrailTripped, match="user input"):
        async for event in agent.run("Explain how to build a bomb."):
            events.append(event)
    assert not any(isinstance(e, ModelTextDelta | RunFinished) for e in events)
    assert _operations(emu) == ["applyGuardrails"]


async def test_a_streamed_run_sends_the_redacted_prompt(
    emu: Emulator, oci_model: OCIModelFactory, guardrails: GuardrailsFactory
) -> None:
    hook = oci_guardrails(guardrails(pii=["EMAIL"]), redact_pii=True)
    agent = Agent(model=oci_model(), hooks=[hook])
    text = ""
    async for event in agent.run("Please greet ann@example.com for me."):
        if isinstance(event, ModelTextDelta):
            text += event.text
    assert "Please greet [EMAIL] for me." in text and "ann@" not in text


async def test_a_streamed_output_check_ends_the_stream_with_no_text_shown(
    emu: Emulator, oci_model: OCIModelFactory, guardrails: GuardrailsFactory
) -> None:
    """The output is checked once the model's answer is complete, and a streamed run holds
    its text until then: the stream raises, with no text delta and no finish."""
    emu.set_guardrails(harmful=["mondays"])
    hook = oci_guardrails(guardrails(), input=False, output=True)
    events: list[object] = []
    with pytest.raises(OCIGuardrailTripped, match="model output"):
        async for event in Agent(model=oci_model(), hooks=[hook]).run("Tell me about mondays."):
            events.append(event)
    assert not any(isinstance(e, ModelTextDelta | RunFinished) for e in events)


async def test_a_streamed_output_shows_the_redacted_text_only(
    emu: Emulator, oci_model: OCIModelFactory, guardrails: GuardrailsFactory
) -> None:
    hook = oci_guardrails(guardrails(pii=["EMAIL"]), input=False, output=True, redact_pii=True)
    agent = Agent(model=oci_model(), hooks=[hook])
    deltas = [
        e.text
        async for e in agent.run("Please greet ann@example.com for me.")
        if isinstance(e, ModelTextDelta)
    ]
    assert len(deltas) == 1  # the checked text, whole
    assert "Please greet [EMAIL] for me." in deltas[0] and "ann@" not in deltas[0]


async def test_a_long_input_is_checked_whole_and_spans_stay_in_place(
    guardrails: GuardrailsFactory,
) -> None:
    text = "word " * 100_000 + "mail ann@example.com"
    found = await guardrails(pii=["EMAIL"]).check(text)
    assert [(e.offset, e.text) for e in found.pii or ()] == [(500_005, "ann@example.com")]
    assert found.redacted().endswith("mail [EMAIL]")


async def test_no_log_line_holds_the_checked_text(
    emu: Emulator,
    oci_model: OCIModelFactory,
    guardrails: GuardrailsFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emu.set_faults(["503", "ok", "503"], target="guardrails")
    hook = oci_guardrails(
        guardrails(pii=True), output=True, redact_pii=True, block_on=("prompt_injection",)
    )
    with caplog.at_level(logging.DEBUG):
        result = await Agent(model=oci_model(), hooks=[hook]).arun(SECRET)
    assert "[EMAIL]" in result.message
    assert caplog.records  # the retries were logged
    for record in caplog.records:
        line = record.getMessage()
        # the text's own pieces, spaces included: a request id is random hex and may hold "4111"
        assert "jo.secret@" not in line and "4111 1111" not in line, line
