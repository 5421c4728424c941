"""The ``locus.wire`` logger against the emulator: a chat call's request body and its answer
(whole, or each streamed event) at DEBUG when that logger is turned on, nothing when only
the root logger is at DEBUG, and never a header (signature, key id, session token)."""

from __future__ import annotations

import configparser
import json
import logging

import pytest

from locus.core.messages import Message
from locus.emulator import Emulator
from locus.models.http import _wire_log
from tests.integration.conftest import OCIModelFactory

PROMPT = [Message.user("Count from 1 to 5, separated by commas.")]
SECRET_MARKS = ("authorization", "signature", "keyid", "st$")


def _wire_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "locus.wire"]


def _no_secrets(lines: list[str], emu: Emulator) -> None:
    """No header, and not the profile's key fingerprint (the tail of every ``keyId``)."""
    fingerprint = _profile_value(emu, "fingerprint")
    for line in lines:
        lowered = line.lower()
        for mark in SECRET_MARKS:
            assert mark not in lowered, line
        assert fingerprint not in line


def _profile_value(emu: Emulator, key: str) -> str:
    parser = configparser.ConfigParser()
    parser.read(emu.config_file)
    return parser["DEFAULT"][key]


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_a_whole_call_logs_its_request_and_answer_bodies(
    oci_model: OCIModelFactory, emu: Emulator, caplog: pytest.LogCaptureFixture, backend: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="locus.wire")
    model = oci_model(http_backend=backend)
    answer = await model.complete(PROMPT)
    lines = _wire_lines(caplog)
    assert len(lines) == 2, lines
    request, whole = lines
    assert request.startswith(f"POST {model.endpoint} (call) request body: {{")
    body = json.loads(request.split("request body: ", 1)[1])
    assert body["chatRequest"]["isStream"] is False
    assert "Count from 1 to 5" in json.dumps(body)
    assert whole.startswith(f"answer 200 from {model.endpoint} (opc-request-id ")
    assert answer.request_id is not None and answer.request_id in whole
    logged = json.loads(whole.split("): ", 1)[1])["chatResponse"]["choices"][0]["message"]
    assert logged["content"][0]["text"] == answer.text
    _no_secrets(lines, emu)


async def test_a_stream_logs_its_request_and_each_event(
    oci_model: OCIModelFactory, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="locus.wire")
    model = oci_model()
    deltas = [event.content async for event in model.stream(PROMPT) if event.content]
    lines = _wire_lines(caplog)
    assert lines[0].startswith(f"POST {model.endpoint} (stream) request body: {{")
    events = [line for line in lines[1:] if line.startswith("stream event (opc-request-id ")]
    assert len(events) == len(lines) - 1
    payloads = [json.loads(line.split("): ", 1)[1]) for line in events]
    logged_text = "".join(
        part.get("text", "")
        for payload in payloads
        for part in (payload.get("message") or {}).get("content") or []
    )
    assert logged_text == "".join(deltas) == "1, 2, 3, 4, 5"
    assert any(payload.get("finishReason") for payload in payloads)
    _no_secrets(lines, emu)


async def test_a_debug_root_logger_does_not_log_bodies(
    oci_model: OCIModelFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: bodies hold prompts, so not enough
    assert logging.getLogger("locus.wire").level == logging.INFO
    await oci_model().complete(PROMPT)
    assert _wire_lines(caplog) == []
    assert any(r.name == "locus.models.http" for r in caplog.records)  # its own DEBUG line


def test_a_long_body_is_cut_and_counted() -> None:
    text = "x" * (_wire_log.MAX_LOGGED + 10)
    assert _wire_log._cut(text) == "x" * _wire_log.MAX_LOGGED + "... (10 more characters)"
    assert _wire_log._cut("short") == "short"
