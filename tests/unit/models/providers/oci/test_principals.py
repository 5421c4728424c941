"""The principal adapter signs httpx requests with a real ``oci`` SDK signer."""

from __future__ import annotations

import base64

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from oci.auth.signers import SecurityTokenSigner

from locus.models.providers.oci.principals import PrincipalAuth
from locus.models.providers.oci.signer import body_digest, signing_string

NAMES = ("date", "(request-target)", "host", "content-length", "content-type", "x-content-sha256")


def test_sdk_signer_adapted_to_httpx_auth(rsa_key: rsa.RSAPrivateKey) -> None:
    auth = PrincipalAuth(SecurityTokenSigner("tok.en.sig", rsa_key), kind="test")
    request = httpx.Request(
        "POST", "http://127.0.0.1:8443/20231130/actions/chat?x=1", content=b'{"a": 1}'
    )
    request.headers["content-type"] = "application/json"
    flow = auth.sync_auth_flow(request)
    signed = next(flow)
    headers = signed.headers
    assert 'keyId="ST$tok.en.sig"' in headers["authorization"]
    assert headers["x-content-sha256"] == body_digest(b'{"a": 1}')
    values = {**headers, "(request-target)": "post /20231130/actions/chat?x=1"}
    signature = headers["authorization"].split('signature="', 1)[1].split('"', 1)[0]
    rsa_key.public_key().verify(
        base64.b64decode(signature),
        signing_string(NAMES, values).encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert repr(auth) == "PrincipalAuth(test)" and auth.region is None


def test_a_401_without_a_refresh_method_is_not_resent(rsa_key: rsa.RSAPrivateKey) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(401)

    auth = PrincipalAuth(SecurityTokenSigner("t.o.k", rsa_key), kind="test")
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        assert client.get("https://h.example/x").status_code == 401
    assert calls == 1 and auth.last_refresh_error is None


class RefreshingSigner(SecurityTokenSigner):  # type: ignore[misc]
    """An SDK token signer whose token can be refreshed, like the federation signers."""

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        super().__init__("old.tok.en", key)
        self._key = key

    def refresh_security_token(self) -> None:
        SecurityTokenSigner.__init__(self, "new.tok.en", self._key)


async def test_async_flow_refreshes_once_on_401(rsa_key: rsa.RSAPrivateKey) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        key_id = request.headers["authorization"].split('keyId="', 1)[1].split('"', 1)[0]
        seen.append(key_id)
        return httpx.Response(401 if key_id == "ST$old.tok.en" else 200)

    auth = PrincipalAuth(RefreshingSigner(rsa_key), kind="test")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        response = await client.post("https://h.example/x", content=b"{}")
    assert response.status_code == 200
    assert seen == ["ST$old.tok.en", "ST$new.tok.en"]
