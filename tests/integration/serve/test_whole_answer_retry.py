"""A completion asked for whole (``"stream": false``) is the agent's ``arun``: a model
stream that breaks midway is sent again (nobody saw its text), as ``complete()`` does;
a streamed completion, whose text the client has seen, ends with the error instead."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from starlette.applications import Starlette

from locus.emulator import Emulator
from locus.serve import create_app
from tests.integration.serve.conftest import ServerThread
from tests.integration.serve.emulator_agent import adder

Serve = Callable[[Starlette], ServerThread]
TOKEN = "test-token-0123456789"
ADD = "Use the add_two_numbers tool to add 7 and 35."
HEADERS = {"authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("fault", ["reset_during", "malformed_event", "error_event"])
def test_a_whole_answer_survives_a_stream_broken_midway(
    emu: Emulator, serve: Serve, fault: str
) -> None:
    agent = adder(emu.info)
    server = serve(create_app({"adder": agent}, token=TOKEN))
    emu.set_faults(["ok", fault])  # the tool call comes whole; the answer's text breaks
    body = {"model": "adder", "messages": [{"role": "user", "content": ADD}]}
    answer = httpx.post(server.url + "/v1/chat/completions", json=body, headers=HEADERS, timeout=60)
    assert answer.status_code == 200, answer.text
    assert "42" in answer.json()["choices"][0]["message"]["content"]
    assert emu.fired_faults == {fault: 1}


def test_a_streamed_answer_that_broke_after_its_text_ends_with_the_error(
    emu: Emulator, serve: Serve
) -> None:
    server = serve(create_app({"adder": adder(emu.info)}, token=TOKEN))
    emu.set_faults(["ok", "reset_during"])  # the tool call comes whole; the answer's text breaks
    body = {"model": "adder", "stream": True, "messages": [{"role": "user", "content": ADD}]}
    with httpx.stream(
        "POST", server.url + "/v1/chat/completions", json=body, headers=HEADERS, timeout=60
    ) as answer:
        text = "".join(answer.iter_lines())
    assert answer.status_code == 200
    assert '"error"' in text and "broke" in text
    assert emu.fired_faults == {"reset_during": 1}
