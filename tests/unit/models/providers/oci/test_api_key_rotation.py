"""``ApiKeyAuth`` after a 401 re-reads its profile and key file: a rotated key (a new key
file and fingerprint) is signed with at once and the request sent once more, through the
httpx flows (sync and async) as through plain signing; unchanged files are not parsed
again and nothing is resent; no key or pass phrase reaches a log or a hint."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.models.http._plain import PlainRequest
from locus.models.providers.oci import _key_cache
from locus.models.providers.oci._api_key_auth import ApiKeyAuth
from locus.models.providers.oci.auth import OCIAuthType, build_auth
from locus.models.providers.oci.config import load_profile
from locus.models.providers.oci.signer import key_fingerprint, parse_private_key

from .conftest import TENANCY, USER, write_key

PASS_PHRASE = "correct horse battery staple"


def _config(folder: Path, key: rsa.RSAPrivateKey, *, name: str, passphrase: bool) -> Path:
    """A DEFAULT profile signing with ``key`` written to ``name`` beside the config."""
    write_key(folder / name, key, PASS_PHRASE if passphrase else None)
    config = folder / "config"
    config.write_text(
        "[DEFAULT]\n"
        f"user={USER}\n"
        f"fingerprint={key_fingerprint(key)}\n"
        f"tenancy={TENANCY}\n"
        f"key_file={name}\n" + (f"pass_phrase={PASS_PHRASE}\n" if passphrase else "")
    )
    return config


def _auth(config: Path) -> ApiKeyAuth:
    auth = build_auth(OCIAuthType.API_KEY, load_profile(config))
    assert isinstance(auth, ApiKeyAuth)
    return auth


def _key_id(key: rsa.RSAPrivateKey) -> str:
    return f"{TENANCY}/{USER}/{key_fingerprint(key)}"


class _Server:
    """Answers 200 to requests signed under ``trusted``'s key id, 401 to others."""

    def __init__(self, trusted: rsa.RSAPrivateKey) -> None:
        self.trusted = _key_id(trusted)
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        found = re.search(r'keyId="([^"]+)"', request.headers["authorization"])
        assert found is not None
        self.seen.append(found.group(1))
        return httpx.Response(200 if found.group(1) == self.trusted else 401)


@pytest.fixture
def old_key(rsa_key: rsa.RSAPrivateKey) -> rsa.RSAPrivateKey:
    return rsa_key


@pytest.fixture
def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_sync_flow_signs_again_with_the_rotated_key(
    tmp_path: Path, old_key: rsa.RSAPrivateKey, new_key: rsa.RSAPrivateKey
) -> None:
    auth = _auth(_config(tmp_path, old_key, name="key.pem", passphrase=False))
    server = _Server(trusted=new_key)
    _config(tmp_path, new_key, name="key2.pem", passphrase=False)  # the rotation
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client:
        assert client.post("https://h.example/x", content=b"{}").status_code == 200
        assert server.seen == [_key_id(old_key), _key_id(new_key)]
        assert client.post("https://h.example/x", content=b"{}").status_code == 200
    assert server.seen[2:] == [_key_id(new_key)], "signed with the new key from the start"
    assert auth.reloads == 1


async def test_async_flow_signs_again_with_the_rotated_key(
    tmp_path: Path, old_key: rsa.RSAPrivateKey, new_key: rsa.RSAPrivateKey
) -> None:
    auth = _auth(_config(tmp_path, old_key, name="key.pem", passphrase=True))
    server = _Server(trusted=new_key)
    _config(tmp_path, new_key, name="key.pem", passphrase=True)  # same file name, new key
    async with httpx.AsyncClient(transport=httpx.MockTransport(server), auth=auth) as client:
        response = await client.post("https://h.example/x", content=b"{}")
    assert response.status_code == 200
    assert server.seen == [_key_id(old_key), _key_id(new_key)]


def _plain() -> PlainRequest:
    url = httpx.URL("https://h.example/20231130/actions/chat")
    headers = {"Host": "h.example", "Content-Length": "2"}
    return PlainRequest(
        url, str(url), "/20231130/actions/chat", "h.example", headers, b"{}", (1, 1, 1)
    )


class _Head:
    def __init__(self) -> None:
        self.status_code = 401
        self.headers: dict[str, str] = {}


async def test_plain_signing_signs_again_with_the_rotated_key(
    tmp_path: Path, old_key: rsa.RSAPrivateKey, new_key: rsa.RSAPrivateKey
) -> None:
    auth = _auth(_config(tmp_path, old_key, name="key.pem", passphrase=False))
    first, second = _plain(), _plain()
    for request in (first, second):  # two calls in flight, both signed with the old key
        await auth.sign_plain(request)
        auth.plain_answered()
    _config(tmp_path, new_key, name="key2.pem", passphrase=False)
    assert await auth.resign_plain(first, _Head())
    assert f'keyId="{_key_id(new_key)}"' in first.headers["authorization"]
    # the second 401 finds the files as the first one left them, but its request was
    # signed with the old key: it is signed again too
    assert await auth.resign_plain(second, _Head())
    assert f'keyId="{_key_id(new_key)}"' in second.headers["authorization"]
    # a 401 of a request the new key signed, with nothing new on disk: no retry
    assert not await auth.resign_plain(second, _Head())
    assert auth.reloads == 1


def test_unchanged_files_are_not_parsed_again_and_not_resent(
    tmp_path: Path, old_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, old_key, name="key.pem", passphrase=True)
    auth = _auth(config)
    signer = auth.current_signer()
    parsed: list[str] = []

    def parse(
        data: bytes, passphrase: str | None = None, *, source: str = "key"
    ) -> rsa.RSAPrivateKey:
        parsed.append(source)
        return parse_private_key(data, passphrase, source=source)

    monkeypatch.setattr(_key_cache, "parse_private_key", parse)
    server = _Server(trusted=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    config.touch()  # a new modification time, the same content
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client:
        assert client.post("https://h.example/x", content=b"{}").status_code == 401
    assert server.seen == [_key_id(old_key)], "nothing changed: no second attempt"
    assert auth.current_signer() is signer and auth.reloads == 0
    assert parsed == [], "the key file was read, not parsed again"
    assert auth.diagnosis() is None


def test_a_key_file_that_cannot_be_read_after_a_401_is_named_in_the_hint(
    tmp_path: Path, old_key: rsa.RSAPrivateKey, caplog: pytest.LogCaptureFixture
) -> None:
    auth = _auth(_config(tmp_path, old_key, name="key.pem", passphrase=True))
    (tmp_path / "key.pem").unlink()  # half-way through a rotation
    server = _Server(trusted=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with (
        caplog.at_level(logging.DEBUG),
        httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client,
    ):
        assert client.post("https://h.example/x", content=b"{}").status_code == 401
    assert len(server.seen) == 1
    hint = auth.diagnosis() or ""
    assert "reading profile [DEFAULT] again after the 401 failed" in hint
    assert "cannot read key file" in hint and "key.pem" in hint
    assert PASS_PHRASE not in hint + caplog.text


def test_the_switch_is_logged_without_secrets(
    tmp_path: Path,
    old_key: rsa.RSAPrivateKey,
    new_key: rsa.RSAPrivateKey,
    caplog: pytest.LogCaptureFixture,
) -> None:
    auth = _auth(_config(tmp_path, old_key, name="key.pem", passphrase=True))
    _config(tmp_path, new_key, name="key.pem", passphrase=True)
    with caplog.at_level(logging.DEBUG, logger="locus.models.oci"):
        assert auth.refresh_after_401()
    assert key_fingerprint(new_key) in caplog.text and "DEFAULT" in caplog.text
    assert PASS_PHRASE not in caplog.text and "BEGIN" not in caplog.text
    assert PASS_PHRASE not in repr(auth)


def test_a_key_given_directly_is_not_reloaded(old_key: rsa.RSAPrivateKey) -> None:
    auth = ApiKeyAuth("t/u/f", old_key, fingerprint_mismatch=None)
    assert not auth.refresh_after_401()


def test_the_attempt_signed_again_has_a_new_request_id(
    tmp_path: Path, old_key: rsa.RSAPrivateKey, new_key: rsa.RSAPrivateKey
) -> None:
    """The wire-spec: a new opc-request-id on every attempt, the one after a 401 included."""
    auth = _auth(_config(tmp_path, old_key, name="key.pem", passphrase=False))
    server = _Server(trusted=new_key)
    ids: list[str] = []

    def recording(request: httpx.Request) -> httpx.Response:
        ids.append(request.headers["opc-request-id"])
        return server(request)

    _config(tmp_path, new_key, name="key2.pem", passphrase=False)
    with httpx.Client(transport=httpx.MockTransport(recording), auth=auth) as client:
        headers = {"opc-request-id": "A" * 32}
        assert client.post("https://h.example/x", content=b"{}", headers=headers).status_code == 200
    assert len(ids) == 2 and ids[0] == "A" * 32
    assert re.fullmatch(r"[0-9A-F]{32}", ids[1]) and ids[1] != ids[0]


async def test_a_plain_request_signed_again_has_a_new_request_id(
    tmp_path: Path, old_key: rsa.RSAPrivateKey, new_key: rsa.RSAPrivateKey
) -> None:
    auth = _auth(_config(tmp_path, old_key, name="key.pem", passphrase=False))
    request = _plain()
    request.headers["opc-request-id"] = "B" * 32
    await auth.sign_plain(request)
    auth.plain_answered()
    _config(tmp_path, new_key, name="key2.pem", passphrase=False)
    assert await auth.resign_plain(request, _Head())
    assert re.fullmatch(r"[0-9A-F]{32}", request.headers["opc-request-id"])
    assert request.headers["opc-request-id"] != "B" * 32
