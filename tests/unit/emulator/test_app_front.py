"""The emulator's ASGI front: the ``POST`` actions skip Starlette's middleware and router,
and answer exactly as they did through them (driven as ASGI, no sockets)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Send

from locus.emulator._catalogue import load_catalogue
from locus.emulator.routes._answer import _url_path
from locus.emulator.server import build_service, prepare_state_dir
from locus.emulator.server._app import build_app

CHAT = "/20231130/actions/chat"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> ASGIApp:
    identity = prepare_state_dir(tmp_path_factory.mktemp("state"), "us-chicago-1")
    return build_app(build_service(identity, load_catalogue(None, "us-chicago-1")))


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> Any:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:9"), *(headers or [])],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 9),
    }


async def _call(app: ASGIApp, scope: Any, receive: Receive, send: Send) -> None:
    await app(scope, receive, send)


def _drive(app: ASGIApp, scope: Any, incoming: list[Message]) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(_call(app, scope, receive, send))
    return sent


def _answer(sent: list[Message]) -> tuple[int, dict[str, str], bytes]:
    headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


def test_an_unsigned_chat_is_answered_401_by_its_handler(app: ASGIApp) -> None:
    body = {"type": "http.request", "body": b"{}", "more_body": False}
    status, headers, content = _answer(_drive(app, _scope("POST", CHAT), [body]))
    assert (status, headers["content-type"]) == (401, "application/json")
    assert json.loads(content)["code"] == "NotAuthenticated"
    assert headers["opc-request-id"]


def test_an_unexpected_error_is_a_plain_500_then_raised(app: ASGIApp) -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}  # the client left before its body arrived

    async def send(message: Message) -> None:
        sent.append(message)

    with pytest.raises(ClientDisconnect):
        asyncio.run(_call(app, _scope("POST", CHAT), receive, send))
    status, headers, content = _answer(sent)
    assert (status, content) == (500, b"Internal Server Error")
    assert headers["content-type"] == "text/plain; charset=utf-8"


def test_other_methods_and_paths_still_go_through_starlette(app: ASGIApp) -> None:
    status, _, content = _answer(_drive(app, _scope("GET", CHAT), []))
    assert (status, json.loads(content)["code"]) == (405, "MethodNotAllowed")
    status, _, content = _answer(_drive(app, _scope("POST", CHAT + "x"), []))
    assert (status, json.loads(content)["code"]) == (404, "NotAuthorizedOrNotFound")
    status, _, content = _answer(_drive(app, _scope("GET", "/admin/state"), []))
    assert status == 200 and "settings" in json.loads(content)


@pytest.mark.parametrize("path", ["/a/b", "/a?b", "/a#b", "/a\\b", "/ü/%41"])
def test_the_journal_path_is_starlettes_url_path(path: str) -> None:
    scope = _scope("POST", path)
    assert _url_path(scope) == Request(scope).url.path
