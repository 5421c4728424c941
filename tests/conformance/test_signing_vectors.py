"""Our OCI signer reproduces the official SDK's signing vectors byte for byte."""

from __future__ import annotations

import base64
import json
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from locus.models.http._requests import RequestBuilder
from locus.models.providers.oci._request_signature import sign_plain_request, sign_request
from locus.models.providers.oci.signer import (
    RequestSigner,
    body_digest,
    key_fingerprint,
    load_private_key,
    signing_string,
)


@pytest.fixture(scope="module")
def vectors(data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir / "oci/signing/vector.json").read_text())
    return data


@pytest.fixture(scope="module")
def key_path(data_dir: Path) -> Path:
    return data_dir / "oci/signing/test_private_key.pem"


def _key_id(authorization: str) -> str:
    return authorization.split('keyId="', 1)[1].split('"', 1)[0]


VECTOR_NAMES = [
    "post_chat_api_key",
    "get_with_query_api_key",
    "post_chat_security_token",
    "post_dac_custom_port_api_key",
]


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_authorization_header_matches_sdk_byte_for_byte(
    name: str, vectors: dict[str, Any], key_path: Path
) -> None:
    vector = vectors["vectors"][name]
    expected = vector["request_headers_after_signing"]
    signer = RequestSigner(_key_id(expected["authorization"]), load_private_key(key_path))
    body = vector["body"].encode() if vector["body"] is not None else None
    headers = signer.sign(
        vector["method"],
        vector["path_url"],
        urlsplit(vector["url"]).netloc,
        body,
        date=expected["date"],
    )
    assert headers["authorization"] == vector["authorization"] == expected["authorization"]
    for name_ in ("date", "content-length", "x-content-sha256", "host"):
        if name_ in expected:
            assert headers[name_] == expected[name_]


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_signing_string_matches_sdk(name: str, vectors: dict[str, Any]) -> None:
    vector = vectors["vectors"][name]
    headers = vector["request_headers_after_signing"]
    values = dict(headers)
    values["(request-target)"] = f"{vector['method'].lower()} {vector['path_url']}"
    assert signing_string(tuple(vector["signed_header_names"]), values) == vector["signing_string"]


def test_fingerprint_and_digest(vectors: dict[str, Any], key_path: Path) -> None:
    assert key_fingerprint(load_private_key(key_path)) == vectors["fingerprint"]
    vector = vectors["vectors"]["post_chat_api_key"]
    assert body_digest(vector["body"].encode()) == vector["expected_x_content_sha256"]
    assert body_digest(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_httpx_request_is_signed_over_the_exact_bytes_sent(
    vectors: dict[str, Any], key_path: Path
) -> None:
    vector = vectors["vectors"]["post_dac_custom_port_api_key"]
    key = load_private_key(key_path)
    request = httpx.Request("POST", vector["url"], content=vector["body"].encode())
    sign_request(request, RequestSigner("tenancy/user/fp", key))
    assert request.headers["host"] == "127.0.0.1:8443"
    assert request.headers["x-content-sha256"] == body_digest(request.content)
    assert request.headers["content-length"] == str(len(request.content))
    values = {**request.headers, "(request-target)": "post /20231130/actions/chat"}
    text = signing_string(tuple(vector["signed_header_names"]), values)
    signature = request.headers["authorization"].split('signature="', 1)[1].split('"', 1)[0]
    key.public_key().verify(
        base64.b64decode(signature), text.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


@pytest.mark.parametrize("name", ["post_chat_api_key", "post_dac_custom_port_api_key"])
def test_plain_request_is_signed_as_the_httpx_request_is(
    name: str, vectors: dict[str, Any], key_path: Path
) -> None:
    """The aiohttp direct path signs a ``PlainRequest``: the same headers, in the same
    order, as the ``httpx.Request`` of the same bytes and date."""
    vector = vectors["vectors"][name]
    expected = vector["request_headers_after_signing"]
    signer = RequestSigner(_key_id(expected["authorization"]), load_private_key(key_path))
    body = vector["body"].encode()
    now = parsedate_to_datetime(expected["date"]).timestamp()
    client, builder = httpx.AsyncClient(), RequestBuilder()
    request = builder.post(client, vector["url"], body, {})
    sign_request(request, signer, now=now)
    plain = builder.plain(client, vector["url"], body, {})
    assert plain is not None
    sign_plain_request(plain, signer, now=now)
    assert list(plain.headers.items()) == [(k.decode(), v.decode()) for k, v in request.headers.raw]
