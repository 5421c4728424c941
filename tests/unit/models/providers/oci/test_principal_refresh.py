"""``PrincipalAuth`` refresh rules, with real ``oci`` SDK token signers and a real
``httpx.MockTransport``: proactive refresh before ``exp``, off the event loop, one at a
time, re-sign once on a 401, and the last refresh error kept."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from oci.auth.signers import SecurityTokenSigner

from locus.core.errors import CredentialsError
from locus.models.providers.oci.principals import PrincipalAuth
from locus.models.providers.oci.token import token_from_authorization
from tests.deadlines import wait_until


def jwt(serial: int, iat: float, exp: float) -> str:
    claims = {"jti": str(serial), "iat": int(iat), "exp": int(exp)}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{body}.c2ln"


class MintingSigner(SecurityTokenSigner):  # type: ignore[misc]
    """An SDK token signer whose refresh mints a new token (like the federation signers).

    ``gate`` (when set) makes a refresh wait until it is opened; ``fail`` makes it raise.
    """

    def __init__(self, key: rsa.RSAPrivateKey, life: float = 1200.0) -> None:
        self.key, self.life, self.serial = key, life, 0
        self.gate: threading.Event | None = None
        self.fail: Exception | None = None
        self.threads: list[str] = []
        super().__init__(self._mint(), key)

    def _mint(self) -> str:
        self.serial += 1
        now = time.time()
        return jwt(self.serial, now, now + self.life)

    def refresh_security_token(self) -> None:
        self.threads.append(threading.current_thread().name)
        if self.gate is not None:
            assert self.gate.wait(5), "the refresh was never released"
        if self.fail is not None:
            raise self.fail
        SecurityTokenSigner.__init__(self, self._mint(), self.key)


def serial_of(request: httpx.Request) -> int:
    token = token_from_authorization(request.headers["authorization"]) or ""
    padded = token.split(".")[1] + "=="
    return int(json.loads(base64.urlsafe_b64decode(padded))["jti"])


class Service:
    """Accepts tokens from serial ``accepted_from`` on; records every serial it saw."""

    def __init__(self) -> None:
        self.accepted_from = 1
        self.seen: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        serial = serial_of(request)
        self.seen.append(serial)
        return httpx.Response(200 if serial >= self.accepted_from else 401)


async def _post(auth: PrincipalAuth, service: Service, times: int = 1) -> list[int]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(service), auth=auth) as client:
        answers = await asyncio.gather(
            *(client.post("https://h.example/x", content=b"{}") for _ in range(times))
        )
    return [answer.status_code for answer in answers]


async def test_fresh_token_is_signed_on_the_loop_without_refresh(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    signer, service = MintingSigner(rsa_key), Service()
    auth = PrincipalAuth(signer, kind="instance_principal")
    assert await _post(auth, service, times=3) == [200, 200, 200]
    assert auth.refreshes == 0 and signer.threads == []
    assert auth.expires_at is not None and auth.expires_at > time.time() + 1000


async def test_refreshes_before_exp_in_a_worker_thread(rsa_key: rsa.RSAPrivateKey) -> None:
    signer, service = MintingSigner(rsa_key), Service()
    auth = PrincipalAuth(signer, kind="instance_principal")
    await _post(auth, service)
    auth.clock = lambda: time.time() + 1000  # 200 s before exp: inside the 300 s margin
    assert await _post(auth, service) == [200]
    assert auth.refreshes == 1 and service.seen == [1, 2]
    assert signer.threads and signer.threads[0] != threading.main_thread().name


async def test_the_loop_keeps_running_while_a_refresh_blocks(rsa_key: rsa.RSAPrivateKey) -> None:
    signer, service = MintingSigner(rsa_key), Service()
    auth = PrincipalAuth(signer, kind="instance_principal")
    await _post(auth, service)
    signer.gate = threading.Event()
    auth.clock = lambda: time.time() + 1000
    request = asyncio.create_task(_post(auth, service))
    # the refresh has started in its thread...
    await wait_until(lambda: signer.threads, "the refresh started in its thread", every=0)
    signer.gate.set()  # ...and this line runs on the loop meanwhile
    assert await request == [200] and auth.refreshes == 1


async def test_concurrent_requests_share_one_refresh(rsa_key: rsa.RSAPrivateKey) -> None:
    signer, service = MintingSigner(rsa_key), Service()
    auth = PrincipalAuth(signer, kind="instance_principal")
    await _post(auth, service)
    service.accepted_from = 2  # the service stops accepting token 1
    assert await _post(auth, service, times=10) == [200] * 10
    assert auth.refreshes == 1 and signer.serial == 2
    assert service.seen.count(2) == 10, "every refused request was re-signed and resent once"


async def test_failed_refresh_is_kept_and_a_dead_token_is_a_clear_error(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    signer, service = MintingSigner(rsa_key, life=60.0), Service()
    auth = PrincipalAuth(signer, kind="resource_principal")
    await _post(auth, service)
    signer.fail = RuntimeError("federation endpoint unreachable")
    service.accepted_from = 2
    assert await _post(auth, service) == [401]
    assert isinstance(auth.last_refresh_error, RuntimeError)
    cause = auth.diagnosis() or ""
    assert "resource principal token refresh failed" in cause and "unreachable" in cause
    auth.clock = lambda: time.time() + 120  # now the token is past exp as well
    with pytest.raises(CredentialsError, match="token expired and refreshing it failed"):
        await _post(auth, service)
    signer.fail = None
    auth.clock = time.time
    service.accepted_from = 1
    assert await _post(auth, service) == [200]


def test_sync_flow_refreshes_on_401_too(rsa_key: rsa.RSAPrivateKey) -> None:
    signer, service = MintingSigner(rsa_key), Service()
    auth = PrincipalAuth(signer, kind="workload_identity")
    service.accepted_from = 2
    with httpx.Client(transport=httpx.MockTransport(service), auth=auth) as client:
        assert client.get("https://h.example/x").status_code == 200
    assert service.seen == [1, 2] and auth.refreshes == 1 and auth.last_refresh_error is None


async def test_a_busy_signer_is_waited_for_off_the_loop(rsa_key: rsa.RSAPrivateKey) -> None:
    signer, service = MintingSigner(rsa_key), Service()
    auth = PrincipalAuth(signer, kind="instance_principal")
    await _post(auth, service)
    signer.gate = threading.Event()
    service.accepted_from = 2
    refused = asyncio.create_task(_post(auth, service))  # its 401 starts a slow refresh
    await wait_until(lambda: signer.threads, "the refresh started in its thread", every=0)
    fresh = asyncio.create_task(_post(auth, service))  # must not block the loop on the lock
    for _ in range(50):
        await asyncio.sleep(0)
    signer.gate.set()
    assert await refused == [200] and await fresh == [200]
    assert auth.refreshes == 1
