"""Faults and pacing: each surfaces through the official SDK as its own error type."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import oci
import pytest
from oci._vendor import requests

from locus.emulator import Emulator

from ._helpers import MODELS, dedicated, details, events, on_demand, sdk_client, user_text

LLAMA = "meta.llama-3.3-70b-instruct"


@pytest.fixture
def emu(oci_emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator, with faults and settings reset after the test."""
    oci_emulator.reset()
    yield oci_emulator
    oci_emulator.reset()


def _chat(emu: Emulator, stream: bool = False, model: str = LLAMA, retries: bool = False) -> Any:
    request = MODELS.GenericChatRequest(
        messages=[user_text("Count from 1 to 5, separated by commas.")], is_stream=stream
    )
    return sdk_client(emu, retries).chat(details(emu, on_demand(model), request))


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("429", 429, "TooManyRequests"),
        ("429_retry_after", 429, "TooManyRequests"),
        ("500", 500, "InternalServerError"),
        ("503", 503, "ServiceUnavailable"),
    ],
)
def test_http_faults_are_service_errors(emu: Emulator, kind: str, status: int, code: str) -> None:
    emu.set_faults([kind])
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        _chat(emu)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert caught.value.request_id
    assert ("retry-after" in caught.value.headers) == (kind == "429_retry_after")
    assert emu.fired_faults == {kind: 1}
    assert _chat(emu).status == 200  # the sequence is used up
    assert emu.fired_faults == {kind: 1}


@pytest.mark.slow  # the SDK sleeps 1-2 s (decorrelated jitter) before retrying
def test_sdk_default_retry_recovers_from_one_503(emu: Emulator) -> None:
    emu.set_faults(["503"])
    assert _chat(emu, retries=True).status == 200
    assert emu.fired_faults == {"503": 1}


def test_faults_target_one_endpoint_only(emu: Emulator) -> None:
    endpoint = emu.endpoint("native")["ocid"]
    emu.set_faults(["500", "500"], target=endpoint)
    assert _chat(emu).status == 200
    request = MODELS.GenericChatRequest(messages=[user_text("hi")])
    assert emu.fired_faults == {}
    with pytest.raises(oci.exceptions.ServiceError):
        sdk_client(emu).chat(details(emu, dedicated(endpoint), request))
    assert emu.fired_faults == {"500": 1}


def test_rate_faults_repeat_with_the_same_seed(emu: Emulator) -> None:
    def outcomes() -> list[int]:
        emu.reset()
        emu.set_faults(rate=0.5, kinds=["429", "503"], seed=7)
        statuses = []
        for _ in range(12):
            try:
                statuses.append(_chat(emu).status)
            except oci.exceptions.ServiceError as error:
                statuses.append(error.status)
        return statuses

    first = outcomes()
    assert first == outcomes()
    assert {200, 429, 503} <= set(first)
    assert emu.fired_faults == {str(s): first.count(s) for s in (429, 503)}


def test_reset_before_response_is_a_connection_error(emu: Emulator) -> None:
    emu.set_faults(["reset_before"])
    with pytest.raises(oci.exceptions.RequestException, match="reset by peer"):
        _chat(emu)
    assert emu.fired_faults == {"reset_before": 1}
    assert _chat(emu).status == 200


def test_reset_during_stream_breaks_the_stream(emu: Emulator) -> None:
    emu.set_faults(["reset_during"])
    response = _chat(emu, stream=True)
    received = []
    with pytest.raises(requests.exceptions.RequestException):
        for event in response.data.events():
            received.append(event.data)
    assert 0 < len(received) < 6
    assert emu.fired_faults == {"reset_during": 1}


def test_reset_during_a_plain_body_is_a_broken_response(emu: Emulator) -> None:
    emu.set_faults(["reset_during"])
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="reset by peer"):
        _chat(emu)
    assert emu.fired_faults == {"reset_during": 1}


def test_malformed_event_reaches_the_client(emu: Emulator) -> None:
    emu.set_faults(["malformed_event"])
    data = [e.data for e in _chat(emu, stream=True).data.events()]
    broken = [d for d in data if not _is_json(d)]
    assert len(broken) == 1
    assert json.loads(data[-1])["finishReason"] == "stop"
    assert emu.fired_faults == {"malformed_event": 1}


def test_stream_faults_do_nothing_to_a_plain_body_and_are_not_counted(emu: Emulator) -> None:
    emu.set_faults(["malformed_event", "error_event"])
    for _ in range(2):
        assert _chat(emu).status == 200
    assert emu.fired_faults == {}


def test_slow_first_byte_and_latency(emu: Emulator) -> None:
    emu.configure(slow_first_byte=0.3)
    emu.set_faults(["slow_first_byte"])
    started = time.perf_counter()
    _chat(emu)
    assert time.perf_counter() - started >= 0.3
    assert emu.fired_faults == {"slow_first_byte": 1}
    emu.set_latency(latency=0.2)
    started = time.perf_counter()
    _chat(emu)
    assert time.perf_counter() - started >= 0.2


def test_chunk_delay_paces_stream_events(emu: Emulator) -> None:
    emu.set_latency(chunk_delay=0.05)
    started = time.perf_counter()
    received = events(_chat(emu, stream=True))
    assert time.perf_counter() - started >= 0.05 * (len(received) - 1)


def test_done_marker_and_chunk_size(emu: Emulator) -> None:
    emu.configure(done_marker=True, chunk_chars=2)
    data = [e.data for e in _chat(emu, stream=True).data.events()]
    assert data[-1] == "[DONE]"
    texts = [json.loads(d)["message"]["content"][0]["text"] for d in data[:-2]]
    assert texts[:2] == ["1,", " 2"]


def test_hold_open_keeps_the_stream_open_after_finish(emu: Emulator) -> None:
    emu.configure(hold_open=0.6)
    body = _raw_stream_body(emu)
    started = time.perf_counter()
    with httpx.stream(
        "POST",
        emu.url + "/openai/v1/chat/completions",
        json=body,
        headers={"authorization": f"Bearer {emu.api_key}"},
    ) as response:
        finish_at = None
        for line in response.iter_lines():
            if '"finish_reason":"stop"' in line:
                finish_at = time.perf_counter() - started
        ended_at = time.perf_counter() - started
    assert finish_at is not None and finish_at < 0.5
    assert ended_at >= 0.6


def test_admin_route_sets_faults_over_http(emu: Emulator) -> None:
    answer = httpx.post(emu.url + "/admin/faults", json={"sequence": ["503"], "target": LLAMA})
    assert answer.status_code == 200
    assert answer.json()["faults"][LLAMA]["sequence"] == ["503"]
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        _chat(emu)
    assert caught.value.status == 503
    assert httpx.get(emu.url + "/admin/state").json()["fired"] == {"503": 1}
    settings = httpx.post(emu.url + "/admin/settings", json={"chunk_delay": 0.01})
    assert settings.json()["settings"]["chunk_delay"] == 0.01
    bad = httpx.post(emu.url + "/admin/settings", json={"chunk_dealy": 1})
    assert (bad.status_code, bad.json()["code"]) == (400, "InvalidParameter")
    state = httpx.get(emu.url + "/admin/state").json()
    assert state["faults"][LLAMA]["sequence"] == []
    httpx.post(emu.url + "/admin/reset")
    state = httpx.get(emu.url + "/admin/state").json()
    assert (state["settings"]["chunk_delay"], state["fired"]) == (0.0, {})


def test_admin_route_refuses_non_loopback_peers() -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    with Emulator(host="0.0.0.0") as emu:
        port = emu.url.rsplit(":", 1)[1]
        answer = httpx.get(f"http://{address}:{port}/admin/state")
        assert (answer.status_code, answer.json()["code"]) == (403, "NotAllowed")
        assert httpx.get(f"http://127.0.0.1:{port}/admin/state").status_code == 200


def _raw_stream_body(emu: Emulator) -> dict[str, object]:
    return {
        "model": "xai.grok-4",
        "stream": True,
        "messages": [{"role": "user", "content": "Count from 1 to 3."}],
    }


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") else address


def _is_json(data: str) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def test_error_event_ends_the_stream_halfway(emu: Emulator) -> None:
    """The SDK reads every event as JSON; the last is a finish with ERROR and a message."""
    whole = [json.loads(e.data) for e in _chat(emu, stream=True).data.events()]
    emu.set_faults(["error_event"])
    data = [json.loads(e.data) for e in _chat(emu, stream=True).data.events()]
    assert 0 < len(data) < len(whole)
    assert data[:-1] == whole[: len(data) - 1]  # what the model said before it failed
    assert data[-1]["finishReason"] == "ERROR" and "error_event" in data[-1]["errorMessage"]
    assert emu.fired_faults == {"error_event": 1}
