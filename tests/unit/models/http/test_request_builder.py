"""``RequestBuilder`` makes the same request as ``AsyncClient.build_request``, only cheaper."""

from __future__ import annotations

import httpx
import pytest

from locus.models.http._requests import RequestBuilder

URL = "https://inference.example.com/20231130/actions/chat"
BODY = b'{"a":1}'


def _same(left: httpx.Request, right: httpx.Request) -> None:
    assert (left.method, str(left.url), left.content) == (right.method, str(right.url), BODY)
    assert sorted(left.headers.multi_items()) == sorted(right.headers.multi_items())
    assert left.extensions == right.extensions


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "application/json", "opc-request-id": "R1"},
        {"Accept": "text/event-stream", "Accept-Encoding": "gzip", "X-Extra": "1"},
        {},
    ],
)
async def test_same_request_as_build_request(headers: dict[str, str]) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(7.0, connect=2.0)) as client:
        builder = RequestBuilder()
        for _ in range(2):  # the second time from the cached defaults
            made = builder.post(client, URL, BODY, headers)
            _same(made, client.build_request("POST", URL, content=BODY, headers=headers))
        assert made.headers.get_list("accept") == [headers.get("Accept", "*/*")]


async def test_other_header_names_and_endpoints_are_not_mixed_up() -> None:
    async with httpx.AsyncClient() as client:
        builder = RequestBuilder()
        builder.post(client, URL, BODY, {"accept": "application/json"})
        other = "https://other.example.com/chat"
        made = builder.post(client, other, BODY, {"x-one": "1"})
        _same(made, client.build_request("POST", other, content=BODY, headers={"x-one": "1"}))
        assert made.headers["accept"] == "*/*"


async def test_a_new_client_gets_its_own_defaults() -> None:
    builder = RequestBuilder()
    async with httpx.AsyncClient() as first:
        builder.post(first, URL, BODY, {})
    async with httpx.AsyncClient(headers={"user-agent": "second"}) as second:
        made = builder.post(second, URL, BODY, {})
        assert made.headers["user-agent"] == "second"
        _same(made, second.build_request("POST", URL, content=BODY))


async def test_cookies_the_server_set_are_still_sent() -> None:
    async with httpx.AsyncClient(cookies={"route": "abc"}) as client:
        headers = {"opc-request-id": "R1"}
        made = RequestBuilder().post(client, URL, BODY, headers)
        assert made.headers["cookie"] == "route=abc"
        _same(made, client.build_request("POST", URL, content=BODY, headers=headers))


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "application/json", "opc-request-id": "R1"},
        {"Accept": "text/event-stream", "Accept-Encoding": "gzip", "X-Extra": "1"},
        {"Host": "proxy.example.com", "Content-Length": "7"},
        {},
    ],
)
async def test_plain_request_has_the_headers_post_sends_in_its_order(
    headers: dict[str, str],
) -> None:
    """The aiohttp direct path's ``PlainRequest``: the same header list, the same URL."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(7.0, connect=2.0)) as client:
        builder = RequestBuilder()
        for _ in range(2):
            plain = builder.plain(client, URL, BODY, headers)
            made = builder.post(client, URL, BODY, headers)
            assert plain is not None
            sent = [(k.decode(), v.decode()) for k, v in made.headers.raw]
            assert list(plain.headers.items()) == sent
            assert (plain.method, plain.wire_url, plain.body) == ("POST", str(made.url), BODY)
            assert plain.target == "/20231130/actions/chat"
            assert plain.host == "inference.example.com"
            assert plain.timeouts == (2.0, 7.0, 7.0)


async def test_no_plain_request_where_post_needs_build_request() -> None:
    async with httpx.AsyncClient(cookies={"route": "abc"}) as client:
        assert RequestBuilder().plain(client, URL, BODY, {}) is None
    async with httpx.AsyncClient(params={"q": "1"}) as client:
        assert RequestBuilder().plain(client, URL, BODY, {}) is None
