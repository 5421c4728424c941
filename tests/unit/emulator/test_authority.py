"""The emulator's token authority and JWTs: what it accepts as ``ST$<token>`` and why not."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.emulator.auth import KeyRing, SignatureError
from locus.emulator.auth._authority import TokenAuthority
from locus.emulator.auth._files import append_session_profile
from locus.emulator.auth._jwt import JWTError, decode_verified, encode, jwk_of, public_key_of_jwk


@pytest.fixture(scope="module")
def authority() -> TokenAuthority:
    return TokenAuthority(tenancy="ocid1.tenancy.oc1..t", compartment="ocid1.compartment.oc1..c")


def test_jwt_round_trip_and_tamper(rsa_key: rsa.RSAPrivateKey) -> None:
    token = encode({"a": 1, "jwk": jwk_of(rsa_key.public_key(), "k")}, rsa_key, "kid")
    claims = decode_verified(token, rsa_key.public_key())
    assert claims["a"] == 1
    assert (
        public_key_of_jwk(claims["jwk"]).public_numbers() == rsa_key.public_key().public_numbers()
    )
    head, body, signature = token.split(".")
    with pytest.raises(JWTError, match="signature"):
        decode_verified(f"{head}.{body}x.{signature}", rsa_key.public_key())
    with pytest.raises(JWTError):
        decode_verified("not-a-token", rsa_key.public_key())


def test_issued_token_resolves_to_the_session_key(
    authority: TokenAuthority, rsa_key: rsa.RSAPrivateKey
) -> None:
    keys = KeyRing()
    authority.attach(keys)
    token = authority.issue(rsa_key.public_key(), kind="instance", subject="i")
    key = keys.lookup(f"ST${token}")
    assert key is not None and key.public_numbers() == rsa_key.public_key().public_numbers()
    assert authority.issued["instance"] >= 1 and token not in repr(authority)


def test_expiry_and_revocation_switches(rsa_key: rsa.RSAPrivateKey) -> None:
    authority = TokenAuthority(tenancy="t", compartment="c")
    old = authority.issue(rsa_key.public_key(), kind="session", subject="s")
    authority.expire_all()
    fresh = authority.issue(rsa_key.public_key(), kind="session", subject="s")
    with pytest.raises(SignatureError, match="expired"):
        authority.resolve(f"ST${old}")
    assert authority.resolve(f"ST${fresh}") is not None
    authority.revoke_all()
    with pytest.raises(SignatureError, match="revoked"):
        authority.resolve(f"ST${fresh}")
    past = authority.issue(rsa_key.public_key(), kind="session", subject="s", lifetime=-1)
    with pytest.raises(SignatureError, match="expired"):
        authority.resolve(f"ST${past}")


def test_tokens_of_another_authority_are_refused(
    authority: TokenAuthority, rsa_key: rsa.RSAPrivateKey
) -> None:
    other = TokenAuthority(tenancy="t", compartment="c")
    foreign = other.issue(rsa_key.public_key(), kind="instance", subject="i")
    with pytest.raises(SignatureError, match="not valid"):
        authority.resolve(f"ST${foreign}")


def test_session_profile_is_added_and_replaced(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[DEFAULT]\nuser=u\n\n[S]\nregion=old\n[T]\nregion=t\n")
    key, token = tmp_path / "k.pem", tmp_path / "token"
    append_session_profile(config, "S", key_file=key, token_file=token, region="r", tenancy="x")
    text = config.read_text()
    assert "region=old" not in text and "[T]\nregion=t" in text and "[DEFAULT]\nuser=u" in text
    assert text.count("[S]") == 1 and f"security_token_file={token}" in text
