"""Reading token times (no verification) and clock-skew words."""

from __future__ import annotations

import base64
import json

import httpx

from locus.models.providers.oci._skew import describe_skew, measure_skew
from locus.models.providers.oci.token import (
    TokenTimes,
    token_claims,
    token_expiry,
    token_from_authorization,
)


def jwt(**claims: object) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{body}.c2ln"


def test_claims_and_expiry() -> None:
    token = jwt(exp=2000, iat=1000, sub="x")
    assert token_claims(token) == {"exp": 2000, "iat": 1000, "sub": "x"}
    assert token_expiry(token) == 2000.0
    assert token_claims("a.b") is None and token_claims("a.!!!.c") is None
    assert token_expiry(jwt(exp="soon")) is None and token_expiry(jwt(exp=True)) is None
    assert token_claims(jwt()) == {}


def test_refresh_time_is_before_exp_but_not_before_half_life() -> None:
    long_lived = TokenTimes(issued=0.0, expires=3600.0)
    assert long_lived.refresh_at(margin=300) == 3300.0
    short_lived = TokenTimes(issued=0.0, expires=120.0)
    assert short_lived.refresh_at(margin=300) == 60.0
    assert TokenTimes(None, 500.0).refresh_at(margin=300) == 200.0
    assert TokenTimes(0.0, None).refresh_at() is None


def test_token_from_an_authorization_header() -> None:
    header = 'Signature version="1",keyId="ST$a.b.c",algorithm="rsa-sha256",signature="x"'
    assert token_from_authorization(header) == "a.b.c"
    assert token_from_authorization('Signature keyId="ocid1.tenancy/u/f"') is None
    assert token_from_authorization(None) is None


def test_skew_from_the_date_header() -> None:
    response = httpx.Response(401, headers={"date": "Thu, 01 Jan 1970 00:16:40 GMT"})
    assert measure_skew(response, now=1000.0 - 600) == -600.0
    assert measure_skew(httpx.Response(401), now=0.0) is None
    assert measure_skew(httpx.Response(401, headers={"date": "soon"}), now=0.0) is None
    assert describe_skew(-600.0) == (
        "this machine's clock is 10 minutes behind the server's, and OCI refuses signatures "
        "dated more than 5 minutes away: fix the system clock (enable NTP)"
    )
    assert "ahead of" in (describe_skew(900.0) or "")
    assert describe_skew(200.0) is None and describe_skew(None) is None
