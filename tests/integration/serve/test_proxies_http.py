"""``locus serve`` behind proxies: who the client is, for the per-client limit and the
loopback rule (``--forwarded-allow-ips``; docs/serving.md, "Limits and safety").

Each test plays load balancers and clients from loopback addresses of their own
(``peers``): a trusted proxy's ``X-Forwarded-For`` names the client, an untrusted
peer's is ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from locus.emulator import Emulator
from locus.serve import create_app
from tests.integration.serve.conftest import ServerThread, locus_serve, serve_env, serve_refusal
from tests.integration.serve.emulator_agent import adder
from tests.integration.serve.peers import HeldRequest, from_peer

TARGET = "tests.integration.serve.emulator_agent:agent"
TOKEN = "proxy-test-token"
CHAT = "/v1/chat/completions"
LIMIT = ["--max-concurrent-per-client", "1"]


def _models(client: httpx.Client, url: str, forwarded_for: str | None = None) -> httpx.Response:
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for is not None else {}
    return client.get(url + "/v1/models", headers=headers)


def _refused_for(response: httpx.Response) -> str:
    """The client a 429 names ("too many requests in flight from <client> ...")."""
    assert response.status_code == 429, response.text
    message: str = response.json()["error"]["message"]
    return message.split(" from ", 1)[1].split(" ", 1)[0]


def test_clients_behind_a_trusted_proxy_each_get_their_own_limit(emulator_json: Path) -> None:
    env = serve_env(emulator_json, LOCUS_SERVE_TOKEN=TOKEN)
    trusted = ["--forwarded-allow-ips", "127.0.0.2/31"]  # a network: 127.0.0.2 and .3
    with locus_serve([TARGET, *LIMIT, *trusted], env) as server:
        url = server.url
        with (
            HeldRequest(url, CHAT, peer="127.0.0.2", forwarded_for="198.51.100.1", token=TOKEN),
            from_peer("127.0.0.3", TOKEN) as proxy,
        ):
            assert _models(proxy, url, "198.51.100.2").status_code == 200  # its own limit
            assert _refused_for(_models(proxy, url, "198.51.100.1")) == "198.51.100.1"
            # the rightmost untrusted entry is the client: what it wrote to the left of
            # the address the proxy appended does not make it another client
            assert _refused_for(_models(proxy, url, "198.51.100.2, 198.51.100.1")) == (
                "198.51.100.1"
            )
            # trusted hops (a chain of proxies) are skipped
            assert _refused_for(_models(proxy, url, "198.51.100.1, 127.0.0.2")) == ("198.51.100.1")
            assert _models(proxy, url, "198.51.100.2, 127.0.0.3").status_code == 200


def test_clients_behind_an_untrusted_proxy_share_one_limit(emulator_json: Path) -> None:
    env = serve_env(emulator_json, LOCUS_SERVE_TOKEN=TOKEN)
    with locus_serve([TARGET, *LIMIT, "--forwarded-allow-ips", "127.0.0.2"], env) as server:
        url = server.url
        with (
            HeldRequest(url, CHAT, peer="127.0.0.9", forwarded_for="198.51.100.3", token=TOKEN),
            from_peer("127.0.0.9", TOKEN) as untrusted,
        ):
            # a spoofed X-Forwarded-For changes nothing: the peer is the client
            assert _refused_for(_models(untrusted, url, "198.51.100.4")) == "127.0.0.9"
            assert _refused_for(_models(untrusted, url)) == "127.0.0.9"
            with from_peer("127.0.0.2", TOKEN) as proxy:
                assert _models(proxy, url, "198.51.100.3").status_code == 200


def test_without_auth_a_forwarded_client_is_not_loopback(emulator_json: Path) -> None:
    """Auth off serves loopback clients only; the client is what a trusted proxy names
    (by default uvicorn's: 127.0.0.1 and ::1, a proxy on the same host)."""
    with locus_serve([TARGET], serve_env(emulator_json)) as server:
        url = server.url
        with from_peer("127.0.0.1") as local_proxy, from_peer("127.0.0.9") as untrusted:
            assert _models(local_proxy, url).status_code == 200
            refused = _models(local_proxy, url, "203.0.113.9")
            assert refused.status_code == 403, refused.text
            assert _models(local_proxy, url, "127.0.0.1").status_code == 200
            # an untrusted peer's claim is ignored: it stays the loopback client it is
            assert _models(untrusted, url, "203.0.113.9").status_code == 200


def test_workers_trust_the_proxies_of_the_environment(emulator_json: Path) -> None:
    env = serve_env(emulator_json, FORWARDED_ALLOW_IPS="127.0.0.2")
    with locus_serve([TARGET, "--workers", "2"], env) as server:
        url = server.url
        for _ in range(6):  # a new connection each: either worker may answer
            with from_peer("127.0.0.2") as proxy:
                refused = _models(proxy, url, "203.0.113.9")
                assert refused.status_code == 403, refused.text
        # the list replaces the default: 127.0.0.1 is no longer trusted
        with from_peer("127.0.0.1") as local:
            assert _models(local, url, "203.0.113.9").status_code == 200


def test_trusting_every_peer_takes_the_leftmost_address(emulator_json: Path) -> None:
    """``*``: the client is the first entry, which a client behind an appending proxy
    writes itself; that is why ``*`` needs a token, and the docs warn against it."""
    env = serve_env(emulator_json, LOCUS_SERVE_TOKEN=TOKEN)
    with locus_serve([TARGET, *LIMIT, "--forwarded-allow-ips", "*"], env) as server:
        url = server.url
        claimed = "198.51.100.7, 198.51.100.8"
        with (
            HeldRequest(url, CHAT, peer="127.0.0.9", forwarded_for=claimed, token=TOKEN),
            from_peer("127.0.0.5", TOKEN) as anyone,
        ):
            assert _refused_for(_models(anyone, url, "198.51.100.7")) == "198.51.100.7"
            assert _models(anyone, url, "198.51.100.8").status_code == 200
        server.proc.terminate()
        assert server.proc.wait(30) == 0
        assert server.proc.stderr is not None
        assert b"forwarded-allow-ips '*': every peer" in server.proc.stderr.read()


def _refusal(args: list[str], env: dict[str, str]) -> str:
    return serve_refusal([TARGET, *args], env)


def test_bad_trusted_proxies_are_refused(emulator_json: Path) -> None:
    env = serve_env(emulator_json)
    assert "without auth" in _refusal(["--forwarded-allow-ips", "*"], env)
    assert "without auth" in _refusal([], {**env, "FORWARDED_ALLOW_IPS": "*"})
    authed = {**env, "LOCUS_SERVE_TOKEN": TOKEN}
    assert "has host bits set" in _refusal(["--forwarded-allow-ips", "10.0.10.5/24"], authed)
    assert "'lb.example.com' is not an IP address" in _refusal(
        ["--forwarded-allow-ips", "10.0.0.1,lb.example.com"], authed
    )
    assert "FORWARDED_ALLOW_IPS: '*' trusts every peer" in _refusal(
        [], {**authed, "FORWARDED_ALLOW_IPS": "*,10.0.0.1"}
    )


def test_a_mounted_app_keys_on_the_client_its_server_names(emu: Emulator, serve: Any) -> None:
    """``create_app`` has no proxy option: it keys on ``scope["client"]``, which the
    user's server sets (here uvicorn with ``forwarded_allow_ips``)."""
    agents = create_app({"adder": adder(emu.info)}, token=TOKEN, max_concurrent_per_client=1)
    outer = Starlette(routes=[Mount("/agents", app=agents)])
    server: ServerThread = serve(outer, forwarded_allow_ips="127.0.0.2")
    base = server.url + "/agents"
    held = {"peer": "127.0.0.2", "forwarded_for": "198.51.100.1", "token": TOKEN}
    with HeldRequest(base, "/agents" + CHAT, **held), from_peer("127.0.0.2", TOKEN) as proxy:
        assert _models(proxy, base, "198.51.100.2").status_code == 200
        assert _refused_for(_models(proxy, base, "198.51.100.1")) == "198.51.100.1"
