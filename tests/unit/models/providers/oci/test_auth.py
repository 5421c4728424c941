"""Auth flows: API key, session token refresh from disk and after a 401, principals."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.core.errors import CredentialsError
from locus.models.providers.oci._api_key_auth import ApiKeyAuth
from locus.models.providers.oci._session_token_auth import SessionTokenAuth
from locus.models.providers.oci.auth import OCIAuthType, build_auth
from locus.models.providers.oci.config import load_profile
from locus.models.providers.oci.signer import load_private_key
from locus.models.providers.oci.token import token_expiry

from .conftest import write_key


def _jwt(exp: float) -> str:
    claims = base64.urlsafe_b64encode(json.dumps({"exp": int(exp)}).encode()).decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{claims.rstrip('=')}.c2ln"


def _key_id(request: httpx.Request) -> str:
    return request.headers["authorization"].split('keyId="', 1)[1].split('"', 1)[0]


def _bump(path: Path, text: str) -> None:
    path.write_text(text)
    stamp = time.time_ns() + 5_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_api_key_auth_signs_each_attempt(oci_dir: Path) -> None:
    auth = build_auth(OCIAuthType.API_KEY, load_profile(oci_dir / "config"))
    assert isinstance(auth, ApiKeyAuth) and auth.diagnosis() is None
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401)

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        assert client.post("https://h.example/20231130/actions/chat", content=b"{}").status_code
    assert len(seen) == 1, "an API key is not re-sent after a 401"
    assert _key_id(seen[0]).endswith(load_profile(oci_dir / "config").fingerprint or "")
    assert seen[0].headers["x-content-sha256"] and seen[0].headers["content-length"] == "2"


def test_fingerprint_mismatch_is_diagnosed(oci_dir: Path) -> None:
    config = (oci_dir / "config").read_text()
    fingerprint = load_profile(oci_dir / "config").fingerprint or ""
    (oci_dir / "config").write_text(config.replace(fingerprint, "aa:" * 15 + "aa"))
    auth = build_auth(OCIAuthType.API_KEY, load_profile(oci_dir / "config"))
    assert isinstance(auth, ApiKeyAuth)
    assert "does not match its key_file" in (auth.diagnosis() or "")


def test_encrypted_key_needs_its_pass_phrase(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    path = write_key(tmp_path / "enc.pem", rsa_key, passphrase="s3cret-phrase")
    with pytest.raises(CredentialsError, match="add pass_phrase") as info:
        load_private_key(path)
    assert "s3cret" not in str(info.value)
    with pytest.raises(CredentialsError, match="pass_phrase is wrong") as info:
        load_private_key(path, "wrong-phrase")
    assert "wrong-phrase" not in str(info.value)
    assert load_private_key(path, "s3cret-phrase").key_size == 2048


def test_missing_key_file_is_clear(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="cannot read key file"):
        load_private_key(tmp_path / "none.pem")


def test_session_token_follows_the_file(oci_dir: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    token_file = oci_dir / "token"
    first, second = _jwt(time.time() + 3600), _jwt(time.time() + 7200)
    token_file.write_text(first)
    auth = SessionTokenAuth(token_file, rsa_key, profile="SESSION")
    assert auth.current_signer() is auth.current_signer(), "unchanged file: no re-read"
    keys = [_sign(auth)]
    _bump(token_file, second)
    keys.append(_sign(auth))
    assert keys == [f"ST${first}", f"ST${second}"]


def _sign(auth: httpx.Auth) -> str:
    request = httpx.Request("GET", "https://h.example/x")
    next(auth.sync_auth_flow(request))
    return _key_id(request)


def test_session_token_401_rereads_and_resigns_once(
    oci_dir: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    token_file = oci_dir / "token"
    old, new = _jwt(time.time() + 3600), _jwt(time.time() + 7200)
    token_file.write_text(old)
    auth = SessionTokenAuth(token_file, rsa_key, profile="SESSION")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(_key_id(request))
        if _key_id(request) == f"ST${old}":
            token_file.write_text(new)  # refreshed out of band, same mtime granularity
            return httpx.Response(401, json={"code": "NotAuthenticated"})
        return httpx.Response(200, json={})

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        assert (
            client.post("https://h.example/20231130/actions/chat", content=b"{}").status_code == 200
        )
    assert seen == [f"ST${old}", f"ST${new}"]


def test_expired_session_token_says_how_to_refresh(
    oci_dir: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    (oci_dir / "token").write_text(_jwt(time.time() - 10))
    auth = SessionTokenAuth(oci_dir / "token", rsa_key, profile="SESSION")
    with pytest.raises(CredentialsError, match="oci session refresh --profile SESSION") as info:
        auth.current_signer()
    assert _jwt(0).split(".")[0] not in str(info.value)
    assert "SESSION" in repr(auth) and "ST$" not in repr(auth)


def test_token_expiry_parsing() -> None:
    assert token_expiry(_jwt(4102444800)) == 4102444800
    assert token_expiry("not-a-jwt") is None
    assert token_expiry("a.!!!.c") is None


def test_security_token_profile_builds_session_auth(oci_dir: Path) -> None:
    (oci_dir / "token").write_text(_jwt(time.time() + 3600))
    auth = build_auth(OCIAuthType.SECURITY_TOKEN, load_profile(oci_dir / "config", "SESSION"))
    assert isinstance(auth, SessionTokenAuth)


def test_resource_principal_without_its_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("OCI_RESOURCE_PRINCIPAL"):
            monkeypatch.delenv(name)
    with pytest.raises(CredentialsError, match="resource principal"):
        build_auth(OCIAuthType.RESOURCE_PRINCIPAL, None)
