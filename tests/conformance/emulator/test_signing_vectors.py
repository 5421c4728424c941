"""The emulator's verifier accepts every SDK signing vector and rejects tampered ones."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.emulator.auth import KeyRing, SignatureError, Verifier, body_digest
from locus.emulator.server import fingerprint_of


def _vectors(data_dir: Path) -> dict[str, Any]:
    return dict(json.loads((data_dir / "oci" / "signing" / "vector.json").read_text()))


def _public_key(data_dir: Path) -> rsa.RSAPublicKey:
    pem = (data_dir / "oci" / "signing" / "test_public_key.pem").read_bytes()
    key = serialization.load_pem_public_key(pem)
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def _verifier(data_dir: Path, vector: dict[str, Any]) -> Verifier:
    data = _vectors(data_dir)
    keys = KeyRing()
    key = _public_key(data_dir)
    keys.add(data["key_id_api_key"], key)
    keys.add_resolver("ST$", lambda key_id: key)
    stamp = parsedate_to_datetime(vector["request_headers_after_signing"]["date"]).timestamp()
    return Verifier(keys, clock=lambda: stamp + 60)


def _body(vector: dict[str, Any]) -> bytes:
    return (vector["body"] or "").encode()


NAMES = [
    "post_chat_api_key",
    "get_with_query_api_key",
    "post_chat_security_token",
    "post_dac_custom_port_api_key",
]


def test_the_fingerprint_algorithm_matches_the_vector(data_dir: Path) -> None:
    assert fingerprint_of(_public_key(data_dir)) == _vectors(data_dir)["fingerprint"]


@pytest.mark.parametrize("name", NAMES)
def test_sdk_vectors_verify(data_dir: Path, name: str) -> None:
    vector = _vectors(data_dir)["vectors"][name]
    headers = vector["request_headers_after_signing"]
    verifier = _verifier(data_dir, vector)
    key_id = verifier.verify(vector["method"], vector["path_url"], headers, _body(vector))
    assert key_id.startswith("ST$") == (name == "post_chat_security_token")


@pytest.mark.parametrize("name", ["post_chat_api_key", "post_dac_custom_port_api_key"])
def test_tampering_is_rejected(data_dir: Path, name: str) -> None:
    vector = _vectors(data_dir)["vectors"][name]
    headers = dict(vector["request_headers_after_signing"])
    verifier = _verifier(data_dir, vector)
    body = _body(vector)
    with pytest.raises(SignatureError, match="x-content-sha256"):
        verifier.verify("POST", vector["path_url"], headers, body.replace(b"oc1", b"oc2"))
    with pytest.raises(SignatureError, match="does not match the request"):
        verifier.verify("POST", "/20231130/actions/embedText", headers, body)
    headers["host"] = "elsewhere.example.com"
    with pytest.raises(SignatureError, match="does not match the request"):
        verifier.verify("POST", vector["path_url"], headers, body)


def test_unsigned_body_headers_are_rejected(data_dir: Path) -> None:
    vector = _vectors(data_dir)["vectors"]["post_chat_api_key"]
    headers = dict(vector["request_headers_after_signing"])
    headers["authorization"] = headers["authorization"].replace(" x-content-sha256", "")
    with pytest.raises(SignatureError, match="not signed: x-content-sha256"):
        _verifier(data_dir, vector).verify("POST", vector["path_url"], headers, _body(vector))


def test_the_body_digest_matches_the_vector(data_dir: Path) -> None:
    vector = _vectors(data_dir)["vectors"]["post_chat_api_key"]
    assert body_digest(_body(vector)) == vector["expected_x_content_sha256"]
    assert body_digest(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_the_vector_date_is_rejected_today(data_dir: Path) -> None:
    vector = _vectors(data_dir)["vectors"]["post_chat_api_key"]
    keys = KeyRing()
    keys.add(_vectors(data_dir)["key_id_api_key"], _public_key(data_dir))
    with pytest.raises(SignatureError, match="5 minutes"):
        Verifier(keys).verify(
            "POST", vector["path_url"], vector["request_headers_after_signing"], _body(vector)
        )


def test_a_remembered_signature_is_still_checked_against_the_ring_body_and_clock(
    data_dir: Path,
) -> None:
    vector = _vectors(data_dir)["vectors"]["post_chat_api_key"]
    headers = vector["request_headers_after_signing"]
    body = _body(vector)
    stamp = parsedate_to_datetime(headers["date"]).timestamp()
    now = [stamp + 60]
    keys = KeyRing()
    key_id = _vectors(data_dir)["key_id_api_key"]
    keys.add(key_id, _public_key(data_dir))
    verifier = Verifier(keys, clock=lambda: now[0])
    for _ in range(3):  # the same request again passes
        assert verifier.verify("POST", vector["path_url"], headers, body) == key_id
    with pytest.raises(SignatureError, match="x-content-sha256"):
        verifier.verify("POST", vector["path_url"], headers, body.replace(b"oc1", b"oc2"))
    now[0] = stamp + 600
    with pytest.raises(SignatureError, match="5 minutes"):
        verifier.verify("POST", vector["path_url"], headers, body)
    now[0] = stamp + 60
    keys.add(key_id, rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key())
    with pytest.raises(SignatureError, match="does not match the request"):
        verifier.verify("POST", vector["path_url"], headers, body)  # a new key under that id
    keys.add(key_id, _public_key(data_dir))  # an equal key, a new object: checked, then passes
    assert verifier.verify("POST", vector["path_url"], headers, body) == key_id


def test_a_failed_signature_is_never_remembered(data_dir: Path) -> None:
    vector = _vectors(data_dir)["vectors"]["post_chat_api_key"]
    headers = dict(vector["request_headers_after_signing"])
    verifier = _verifier(data_dir, vector)
    good = headers["authorization"]
    signature = good.split('signature="')[1].split('"')[0]
    headers["authorization"] = good.replace(signature, signature[::-1])
    for _ in range(2):
        with pytest.raises(SignatureError, match="does not match the request"):
            verifier.verify("POST", vector["path_url"], headers, _body(vector))
    headers["authorization"] = good
    assert verifier.verify("POST", vector["path_url"], headers, _body(vector))
