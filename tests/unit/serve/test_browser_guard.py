"""With auth off, a browser on the server's machine must not be a way in for a web page.

Auth off serves loopback clients only, and a browser on this machine *is* one: a page
could post a run with a plain ``fetch`` (no preflight), or rebind its own name to
127.0.0.1 (DNS rebinding) and read the answers too. So with auth off a request must name
a loopback host, and a browser's ``Origin`` must be a loopback one or listed in
``cors_origins``; clients that are not browsers (the openai client, curl) send no
``Origin`` and are unaffected. With a token, the bearer header already stops both.
"""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from locus.serve import create_app
from tests.unit.serve.conftest import AppClient, adding_agent

CHAT = {"model": "adder", "messages": [{"role": "user", "content": "add"}]}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1:8000"},
        {"Origin": "http://localhost:3000"},
        {"Origin": "http://[::1]:8000", "Host": "[::1]:8000"},
        {"Host": "localhost:8000"},
        {"Host": "LocalHost:8000", "Origin": "http://LOCALHOST:8000"},
        {},
    ],
)
async def test_loopback_hosts_and_origins_are_served(
    client: AppClient, app: Starlette, headers: dict[str, str]
) -> None:
    answer = await client(app).post("/v1/chat/completions", json=CHAT, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"][0]["message"]["content"] == "The sum is 42."


@pytest.mark.parametrize(
    ("headers", "says"),
    [
        ({"Origin": "https://evil.example"}, "another origin ('https://evil.example')"),
        ({"Origin": "null"}, "another origin ('null')"),
        ({"Origin": "http://127.0.0.1.evil.example"}, "another origin"),
        ({"Host": "evil.example:8000"}, "must name a loopback host, not 'evil.example:8000'"),
        ({"Host": "0.0.0.0:8000"}, "must name a loopback host"),
    ],
)
async def test_other_hosts_and_origins_are_refused_before_any_run(
    client: AppClient, app: Starlette, headers: dict[str, str], says: str
) -> None:
    http = client(app)
    for method, path in [("POST", "/v1/chat/completions"), ("GET", "/v1/threads")]:
        answer = await http.request(method, path, json=CHAT, headers=headers)
        assert answer.status_code == 403
        assert says in answer.json()["error"]["message"]
    assert app.state.served.state.runs_started == 0


async def test_an_origin_listed_in_cors_origins_is_served(client: AppClient) -> None:
    app = create_app({"adder": adding_agent()}, cors_origins=["https://app.example"])
    http = client(app)
    ok = await http.post(
        "/v1/chat/completions", json=CHAT, headers={"Origin": "https://app.example"}
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://app.example"
    other = await http.post(
        "/v1/chat/completions", json=CHAT, headers={"Origin": "https://b.example"}
    )
    assert other.status_code == 403


async def test_with_a_token_the_bearer_decides_whatever_the_origin(client: AppClient) -> None:
    app = create_app({"adder": adding_agent()}, token="s3cret")
    http = client(app, "10.0.0.7", Authorization="Bearer s3cret")
    headers = {"Origin": "https://anywhere.example", "Host": "agents.example.com"}
    answer = await http.post("/v1/chat/completions", json=CHAT, headers=headers)
    assert answer.status_code == 200


async def test_the_chat_page_itself_is_open(client: AppClient) -> None:
    app = create_app({"adder": adding_agent()}, ui=True)
    page = await client(app).get("/", headers={"Host": "evil.example"})
    assert page.status_code == 200  # static; its calls are what the guard checks
