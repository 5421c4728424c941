"""What a connection records for its errors: HTTP error statuses of requests (not of the
optional GET stream or the DELETE at close), a bounded stderr tail, and the texts built
from them."""

from __future__ import annotations

import httpx2
from mcp import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS

from locus.mcp._diagnosis import Diagnosis, connect_error


def _response(method: str, status: int) -> httpx2.Response:
    return httpx2.Response(status, request=httpx2.Request(method, "http://127.0.0.1:1/mcp"))


async def test_only_the_statuses_of_posted_messages_are_kept() -> None:
    diagnosis = Diagnosis("srv", stdio=False)
    await diagnosis.on_response(_response("GET", 405))  # no server-sent stream: normal
    await diagnosis.on_response(_response("DELETE", 405))
    assert diagnosis.take_status() is None
    await diagnosis.on_response(_response("POST", 401))
    assert diagnosis.take_status() == 401
    assert diagnosis.take_status() is None  # taken once


async def test_a_json_rpc_error_sent_with_a_status_keeps_its_own_message() -> None:
    diagnosis = Diagnosis("srv", stdio=False)
    await diagnosis.on_response(_response("POST", 400))
    error = MCPError(INVALID_PARAMS, "unknown protocol version 1999-01-01")
    text = str(connect_error("srv", error, diagnosis, 30, None))
    assert "HTTP 400" in text and "unknown protocol version 1999-01-01" in text
    await diagnosis.on_response(_response("POST", 503))
    generic = MCPError(INTERNAL_ERROR, "Server returned an error response")
    text = str(connect_error("srv", generic, diagnosis, 30, None))
    assert "HTTP 503" in text and "Server returned" not in text


def test_the_stderr_tail_is_bounded_and_starts_at_a_line() -> None:
    diagnosis = Diagnosis("srv", stdio=True)
    assert diagnosis.stderr is None
    for index in range(5000):
        diagnosis.data_received(f"line {index}\n".encode())
    tail = diagnosis.stderr
    assert tail is not None and len(tail) <= 1500
    assert tail.startswith("line ") and tail.endswith("line 4999")
    diagnosis.data_received(b"\xff\xfe broken utf-8\n")
    assert (diagnosis.stderr or "").endswith("\ufffd\ufffd broken utf-8")
