"""The async signing flow: inline for a lone request, the RSA operation in the signing
pool under load, correct signatures either way, and the sync flow's 401 handling."""

from __future__ import annotations

import asyncio
import threading
import time
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.emulator.auth import KeyRing, Verifier
from locus.models.providers.oci._api_key_auth import ApiKeyAuth
from locus.models.providers.oci._session_token_auth import SessionTokenAuth
from locus.models.providers.oci._signing_auth import OFFLOAD_IN_FLIGHT
from locus.models.providers.oci.signer import RequestSigner
from tests.deadlines import wait_until
from tests.unit.models.providers.oci.test_token import jwt

KEY_ID = "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/aa:bb"


class RecordingSigner(RequestSigner):
    """A real signer that also notes which thread ran each RSA operation."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        super().__init__(KEY_ID, private_key)
        self.threads: list[str] = []

    def rsa_sign(self, text: bytes) -> bytes:
        self.threads.append(threading.current_thread().name)
        return super().rsa_sign(text)


class RecordingAuth(ApiKeyAuth):
    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        super().__init__(KEY_ID, private_key, fingerprint_mismatch=None)
        self.recorder = RecordingSigner(private_key)

    def current_signer(self) -> RequestSigner:
        return self.recorder


def _verifier(key: rsa.RSAPrivateKey) -> Verifier:
    ring = KeyRing()
    ring.add(KEY_ID, key.public_key())
    return Verifier(ring)


async def test_under_load_signing_leaves_the_loop_and_stays_correct(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    verifier = _verifier(rsa_key)
    release = asyncio.Event()
    verified: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        target = request.url.raw_path.decode()
        verified.append(verifier.verify("POST", target, request.headers, body))
        await release.wait()  # hold every request in flight until all are sent
        return httpx.Response(200, json={})

    auth = RecordingAuth(rsa_key)
    count = OFFLOAD_IN_FLIGHT + 4
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        calls = [
            asyncio.create_task(client.post("https://h.example/x", content=b'{"n":%d}' % n))
            for n in range(count)
        ]
        await wait_until(lambda: len(verified) == count, "every request was signed", every=0)
        release.set()
        responses = await asyncio.gather(*calls)
    assert [r.status_code for r in responses] == [200] * count
    assert verified == [KEY_ID] * count
    loop_thread = threading.current_thread().name
    assert auth.recorder.threads[:OFFLOAD_IN_FLIGHT] == [loop_thread] * OFFLOAD_IN_FLIGHT
    assert all(name.startswith("locus-sign") for name in auth.recorder.threads[OFFLOAD_IN_FLIGHT:])
    assert auth._in_flight == 0


async def test_one_request_at_a_time_is_signed_inline(rsa_key: rsa.RSAPrivateKey) -> None:
    auth = RecordingAuth(rsa_key)
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    async with httpx.AsyncClient(transport=transport, auth=auth) as client:
        for _ in range(OFFLOAD_IN_FLIGHT + 2):
            await client.post("https://h.example/x", content=b"{}")
    assert set(auth.recorder.threads) == {threading.current_thread().name}


async def test_async_401_records_the_clock_skew(rsa_key: rsa.RSAPrivateKey) -> None:
    late = time.time() - 600

    def refusing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, headers={"date": formatdate(time.time(), usegmt=True)})

    auth = ApiKeyAuth("t/u/f", rsa_key, fingerprint_mismatch=None, clock=lambda: late)
    async with httpx.AsyncClient(transport=httpx.MockTransport(refusing), auth=auth) as client:
        assert (await client.post("https://h.example/x", content=b"{}")).status_code == 401
    assert "10 minutes behind the server's" in (auth.diagnosis() or "")
    assert auth._in_flight == 0


async def test_async_401_resends_once_with_a_refreshed_session_token(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(jwt(exp=time.time() + 3600, sub="first"))
    auth = SessionTokenAuth(token_file, rsa_key, profile="P")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        if len(seen) == 1:
            token_file.write_text(jwt(exp=time.time() + 3600, sub="second"))
            return httpx.Response(401)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        assert (await client.post("https://h.example/x", content=b"{}")).status_code == 200
    assert len(seen) == 2 and seen[0] != seen[1]


class FailingSigner(RecordingSigner):
    def rsa_sign(self, text: bytes) -> bytes:
        super().rsa_sign(text)
        raise ValueError("the key cannot sign")


async def test_an_rsa_failure_in_the_pool_reaches_the_caller(rsa_key: rsa.RSAPrivateKey) -> None:
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200)

    auth = RecordingAuth(rsa_key)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        held = [
            asyncio.create_task(client.post("https://h.example/x", content=b"{}"))
            for _ in range(OFFLOAD_IN_FLIGHT)
        ]
        await wait_until(
            lambda: auth._in_flight == OFFLOAD_IN_FLIGHT, "the pool is full of signing", every=0
        )
        auth.recorder = FailingSigner(rsa_key)
        with pytest.raises(ValueError, match="cannot sign"):
            await client.post("https://h.example/x", content=b"{}")
        assert auth.recorder.threads[-1].startswith("locus-sign")
        release.set()
        await asyncio.gather(*held)


async def test_answers_that_come_in_together_wake_the_loop_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Signing threads batch their answers: one self-pipe write per busy stretch."""
    from locus.models.providers.oci._signing_threads import _Mailbox

    loop = asyncio.get_running_loop()
    wakeups: list[object] = []
    real = loop.call_soon_threadsafe

    def counted(callback: Any, *args: Any) -> Any:
        wakeups.append(callback)
        return real(callback, *args)

    monkeypatch.setattr(loop, "call_soon_threadsafe", counted)
    mailbox = _Mailbox()
    futures = [loop.create_future() for _ in range(3)]
    failure = ValueError("bad key")

    def post_all() -> None:
        for index, future in enumerate(futures[:2]):
            mailbox.post(future, b"%d" % index)
        mailbox.post(futures[2], failure)

    poster = threading.Thread(target=post_all)
    poster.start()
    poster.join(30)  # the loop is busy (blocked here) while all three come in
    assert not poster.is_alive(), "the poster thread did not end within 30 s"
    results = await asyncio.gather(*futures, return_exceptions=True)
    assert results == [b"0", b"1", failure] and len(wakeups) == 1

    late = loop.create_future()
    threading.Thread(target=mailbox.post, args=(late, b"late")).start()
    assert await asyncio.wait_for(late, 5) == b"late" and len(wakeups) == 2
