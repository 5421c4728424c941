"""A model's calls share one dict of the headers that do not change; each attempt's
headers are still the connection's, in its order, with the attempt's over them."""

from __future__ import annotations

from pathlib import Path

import httpx

from locus.core.messages import Message
from locus.models.http._call_headers import SharedHeaders, merged

from .http_helpers import chat_result, make_model


def _expected(headers: dict[str, str], attempt: dict[str, str]) -> list[tuple[str, str]]:
    return list({**headers, **attempt}.items())


def test_calls_keep_only_what_differs_from_the_shared_dict() -> None:
    shared = SharedHeaders()
    calls = [
        {"content-type": "json", "opc-retry-token": token, "client": "x"}
        for token in ("t1", "t2", "t3")
    ]
    split = [shared.split(dict(headers)) for headers in calls]
    assert split[1][0] is split[0][0] and split[2][0] is split[0][0]
    assert split[1][1] == ("opc-retry-token", "t2") and split[0][1] == ()
    for headers, (fixed, varying) in zip(calls, split, strict=True):
        attempt = {"opc-request-id": "r"}
        assert list(merged(fixed, varying, attempt).items()) == _expected(headers, attempt)
    assert split[0][0]["opc-retry-token"] == "t1"  # the shared dict is never changed


def test_other_names_or_order_make_a_new_shared_dict() -> None:
    shared = SharedHeaders()
    first = {"a": "1", "b": "2"}
    assert shared.split(first) == (first, ())
    for other in ({"b": "2", "a": "1"}, {"a": "1", "c": "2"}, {"a": "1", "b": "2", "c": "3"}):
        fixed, varying = shared.split(dict(other))
        assert (fixed, varying) == (other, ())
        assert list(merged(fixed, varying, {"a": "9"}).items()) == _expected(other, {"a": "9"})
    changed = {"a": "1", "b": "2", "c": "4"}  # the last kept one's names: one value differs
    fixed, varying = shared.split(dict(changed))
    assert varying == ("c", "4")
    assert list(merged(fixed, varying, {}).items()) == list(changed.items())


async def test_a_models_requests_send_every_header_in_the_connections_order(
    oci_dir: Path,
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=chat_result("hello"))

    model = make_model(oci_dir, handler)
    for _ in range(3):
        await model.complete([Message.user("hi")])
    await model.aclose()
    tokens = [r.headers["opc-retry-token"] for r in seen]
    assert len(set(tokens)) == 3  # each call its own retry token
    names = [[name for name, _ in r.headers.items()] for r in seen]
    assert names[0] == names[1] == names[2]
    for name in ("content-type", "accept", "opc-client-info", "opc-request-id"):
        assert len({r.headers[name] for r in seen}) == (3 if name == "opc-request-id" else 1)


async def test_two_calls_of_a_model_share_their_fixed_headers(oci_dir: Path) -> None:
    model = make_model(oci_dir, lambda request: httpx.Response(200, json=chat_result("x")))
    first, second = [
        await model._prepare([Message.user("hi")], None, {}, stream=True) for _ in "ab"
    ]
    assert second.headers is first.headers
    assert second.varying[0::2] == ("opc-retry-token",)
    assert second.varying[1] != first.headers["opc-retry-token"]
    await model.aclose()
