"""A failed run, on a real server (loopback): one WARNING on ``locus.serve`` with the
agent, the route, the error and the model's ``opc-request-id``; the client reads a
model's failure as it is, and only the type of a failure of the server's own (a store
that cannot open its database), whose details (the database, its address) stay in the
log, with no password.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from locus.agent import Agent
from locus.core.errors import ServerError
from locus.core.messages import Message
from locus.core.toolspec import ToolSpec
from locus.serve import create_app
from locus.stores import PostgresThreadStore
from locus.testing import FunctionModel
from tests.integration.serve.conftest import ServerThread
from tests.integration.stores.services import service_dsn
from tests.unit.serve.test_agui_routes import events_of

CHAT = "/v1/chat/completions"


def _no_database_dsn() -> tuple[str, str]:
    """A DSN to a database the test server does not have, and the server's password."""
    dsn = service_dsn("LOCUS_TEST_POSTGRES_DSN")
    base, _, query = dsn.partition("?")
    base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    password = base.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
    return f"{base}/nosuchdb" + (f"?{query}" if query else ""), password


def answer(messages: list[Message], tools: list[ToolSpec]) -> Any:
    return "hello"


def refusing(messages: list[Message], tools: list[ToolSpec]) -> Any:
    raise ServerError(
        "the model endpoint answered 500: internal failure",
        status=500,
        code="InternalServerError",
        request_id="REQ-4242",
    )


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "locus.serve" and r.levelno == logging.WARNING and "failed" in r.getMessage()
    ]


def test_a_store_failure_is_answered_by_its_type_and_logged_with_its_details(
    serve: Callable[..., ServerThread], caplog: pytest.LogCaptureFixture
) -> None:
    dsn, password = _no_database_dsn()
    store = PostgresThreadStore(dsn)
    server = serve(create_app({"support": Agent(FunctionModel(answer), thread_store=store)}))
    caplog.set_level(logging.WARNING, logger="locus.serve")
    prompt = [{"role": "user", "content": "hi"}]
    body = {"model": "support", "messages": prompt, "thread_id": "disc-1"}
    reply = httpx.post(server.url + CHAT, json=body, timeout=30)
    assert reply.status_code == 500, reply.text
    error = reply.json()["error"]
    assert error["message"] == "internal error (StoreError): the server's log has the details"
    assert (error["type"], error["code"]) == ("server_error", "StoreError")
    assert "nosuchdb" not in reply.text and "127.0.0.1" not in reply.text

    run = {"threadId": "disc-2", "messages": [{"id": "m", "role": "user", "content": "hi"}]}
    streamed = httpx.post(server.url + "/v1/agents/support/runs", json=run, timeout=30)
    assert streamed.status_code == 200
    failed = events_of(streamed.text)[-1]
    assert (failed.type, failed.code) == ("RUN_ERROR", "StoreError")
    assert "nosuchdb" not in streamed.text

    logged = _warnings(caplog)
    assert len(logged) == 2, logged
    chat, agui = logged
    assert "'support'" in chat and "POST /v1/chat/completions" in chat and "StoreError" in chat
    assert "nosuchdb" in chat  # the details are the log's
    assert "POST /v1/agents/support/runs" in agui and "StoreError" in agui
    if password:
        assert all(password not in line for line in logged)


def test_a_model_failure_keeps_its_message_and_is_logged_with_the_request_id(
    serve: Callable[..., ServerThread], caplog: pytest.LogCaptureFixture
) -> None:
    server = serve(create_app({"ops": Agent(FunctionModel(refusing))}))
    caplog.set_level(logging.WARNING, logger="locus.serve")
    body = {"model": "ops", "messages": [{"role": "user", "content": "hi"}]}
    reply = httpx.post(server.url + CHAT, json=body, timeout=30)
    assert reply.status_code == 502, reply.text
    assert reply.json()["error"]["message"] == "the model endpoint answered 500: internal failure"

    streamed = httpx.post(server.url + CHAT, json={**body, "stream": True}, timeout=30)
    frames = [f.removeprefix("data: ") for f in streamed.text.split("\n\n") if f]
    assert frames[-1] == "[DONE]"
    assert json.loads(frames[-2])["error"]["code"] == "ServerError"

    (chat, chat_streamed) = _warnings(caplog)
    for line in (chat, chat_streamed):
        assert "'ops'" in line and "POST /v1/chat/completions" in line and "502" in line
        assert "ServerError: the model endpoint answered 500" in line
        assert "opc-request-id REQ-4242" in line
