"""Our own signing flows: signature dates follow ``clock``, a 401 records the clock skew,
and a session token is resent after a 401 only when the file holds a new token."""

from __future__ import annotations

import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.models.http._plain import PlainRequest
from locus.models.providers.oci._api_key_auth import ApiKeyAuth
from locus.models.providers.oci._session_token_auth import SessionTokenAuth
from tests.unit.models.providers.oci.test_token import jwt


def _refusing(date: float) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, headers={"date": formatdate(date, usegmt=True)})

    return httpx.MockTransport(handler)


def test_a_401_names_a_clock_ten_minutes_late(rsa_key: rsa.RSAPrivateKey) -> None:
    late = time.time() - 600
    auth = ApiKeyAuth("t/u/f", rsa_key, fingerprint_mismatch=None, clock=lambda: late)
    with httpx.Client(transport=_refusing(time.time()), auth=auth) as client:
        response = client.get("https://h.example/x")
    signed = parsedate_to_datetime(response.request.headers["date"]).timestamp()
    assert abs(signed - late) < 2, "the signature is dated by the flow's clock"
    assert "10 minutes behind the server's" in (auth.diagnosis() or "")


def test_no_skew_no_mismatch_no_diagnosis(rsa_key: rsa.RSAPrivateKey) -> None:
    auth = ApiKeyAuth("t/u/f", rsa_key, fingerprint_mismatch=None)
    with httpx.Client(transport=_refusing(time.time()), auth=auth) as client:
        client.get("https://h.example/x")
    assert auth.diagnosis() is None


def test_session_401_with_the_same_token_is_not_resent(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(jwt(exp=time.time() + 30))
    auth = SessionTokenAuth(token_file, rsa_key, profile="P")
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers["authorization"])
        return httpx.Response(401)

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        assert client.get("https://h.example/x").status_code == 401
    assert len(calls) == 1
    assert "oci session refresh --profile P" in (auth.diagnosis() or ""), "expires within 60 s"
    assert auth.expires_at is not None and not auth.expired()


def _plain(body: bytes = b'{"a":1}') -> PlainRequest:
    url = httpx.URL("https://h.example/20231130/actions/chat")
    headers = {"Host": "h.example", "Content-Length": str(len(body)), "opc-request-id": "R"}
    return PlainRequest(
        url, str(url), "/20231130/actions/chat", "h.example", headers, body, (1, 1, 1)
    )


class _Head:
    def __init__(self, status: int, date: float | None = None) -> None:
        self.status_code = status
        self.headers = {"date": formatdate(date, usegmt=True)} if date is not None else {}


async def test_plain_signing_resigns_a_session_token_after_a_401_with_a_new_token(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    """The direct paths' plain signing: a 401 with a new token in the file re-signs the same
    request (a new authorization) once; another answer than a 401 signs nothing."""
    token_file = tmp_path / "token"
    token_file.write_text(jwt(exp=time.time() + 3600, jti="first"))
    auth = SessionTokenAuth(token_file, rsa_key, profile="P")
    request = _plain()
    await auth.sign_plain(request)
    auth.plain_answered()
    signed_first = request.headers["authorization"]
    assert 'keyId="ST$' in signed_first and request.headers["x-content-sha256"]
    assert not await auth.resign_plain(request, _Head(200))
    assert request.headers["authorization"] == signed_first
    token_file.write_text(jwt(exp=time.time() + 3600, jti="second"))  # `oci session refresh`
    assert await auth.resign_plain(request, _Head(401, time.time()))
    assert request.headers["authorization"] != signed_first


async def test_plain_signing_measures_the_skew_of_a_401(rsa_key: rsa.RSAPrivateKey) -> None:
    late = time.time() - 600
    auth = ApiKeyAuth("t/u/f", rsa_key, fingerprint_mismatch=None, clock=lambda: late)
    request = _plain()
    await auth.sign_plain(request)
    auth.plain_answered()
    assert abs(parsedate_to_datetime(request.headers["date"]).timestamp() - late) < 2
    signed = request.headers["authorization"]
    # a key given directly (no profile to re-read) has nothing new after a 401
    assert not await auth.resign_plain(request, _Head(401, time.time()))
    assert request.headers["authorization"] == signed
    assert "10 minutes behind the server's" in (auth.diagnosis() or "")


async def test_plain_signing_counts_an_attempt_in_flight_until_it_is_answered(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    """Signing moves to the signing threads only while many attempts are in flight: each
    ``sign_plain`` counts one until its ``plain_answered``."""
    auth = ApiKeyAuth("t/u/f", rsa_key, fingerprint_mismatch=None)
    requests = [_plain() for _ in range(3)]
    for request in requests:
        await auth.sign_plain(request)
    assert auth._in_flight == 3
    for _ in requests:
        auth.plain_answered()
    assert auth._in_flight == 0
