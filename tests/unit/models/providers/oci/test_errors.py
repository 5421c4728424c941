"""Error answers become typed errors with status, code, request id, endpoint and hints."""

from __future__ import annotations

import json

import httpx
import pytest

from locus.core.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConnectError,
    ModelTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from locus.models.http._errors import ErrorDetails, transport_error
from locus.models.providers.oci._errors import ErrorContext, oci_error

ENDPOINT = "https://inference.generativeai.uk-london-1.oci.oraclecloud.com/20231130/actions/chat"
DAC = "ocid1.generativeaiendpoint.oc1.uk-london-1.amaaaaaaexampleendpointid"


def _details(status: int, body: object, **headers: str) -> ErrorDetails:
    content = json.dumps(body).encode() if not isinstance(body, bytes) else body
    response = httpx.Response(status, content=content, headers=headers)
    return ErrorDetails.read(response, content)


def _context(dedicated: bool = True, diagnosis: str | None = None) -> ErrorContext:
    return ErrorContext(
        model_id=DAC if dedicated else "meta.llama-3.3-70b-instruct",
        dedicated=dedicated,
        region="uk-london-1",
        compartment_id="ocid1.compartment.oc1..c",
        profile="DAC",
        api_format="GENERIC",
        diagnosis=lambda: diagnosis,
    )


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (418, APIStatusError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[APIStatusError]) -> None:
    error = oci_error(
        _details(status, {"code": "X", "message": "m"}, **{"opc-request-id": "RID/1"}),
        endpoint=ENDPOINT,
        context=_context(),
    )
    assert type(error) is cls
    assert (error.status, error.code, error.request_id, error.endpoint) == (
        status,
        "X",
        "RID/1",
        ENDPOINT,
    )
    assert f"HTTP {status} X" in str(error) and "RID/1" in str(error) and ENDPOINT in str(error)


def test_401_hint_mentions_key_clock_and_session_refresh() -> None:
    error = oci_error(
        _details(401, {"code": "NotAuthenticated"}),
        endpoint=ENDPOINT,
        context=_context(diagnosis="fingerprint mismatch"),
    )
    assert error.hint is not None
    for words in ("fingerprint mismatch", "clock", "oci session refresh --profile DAC"):
        assert words in error.hint
    assert "hint:" in str(error)


def test_404_hint_for_a_dac_names_region_compartment_and_policy() -> None:
    error = oci_error(
        _details(404, {"code": "NotAuthorizedOrNotFound"}), endpoint=ENDPOINT, context=_context()
    )
    assert error.hint is not None
    for words in (DAC, "uk-london-1", "region", "ocid1.compartment.oc1..c", "generative-ai-family"):
        assert words in error.hint


def test_404_hint_on_demand() -> None:
    error = oci_error(
        _details(404, {"code": "NotAuthorizedOrNotFound"}),
        endpoint=ENDPOINT,
        context=_context(dedicated=False),
    )
    assert error.hint is not None and "offered in that region" in error.hint


def test_400_on_a_dac_suggests_api_format() -> None:
    error = oci_error(
        _details(400, {"code": "InvalidParameter", "message": "bad"}),
        endpoint=ENDPOINT,
        context=_context(),
    )
    assert error.hint is not None and "api_format='cohere'" in error.hint
    on_demand = oci_error(
        _details(400, {"code": "InvalidParameter"}),
        endpoint=ENDPOINT,
        context=_context(dedicated=False),
    )
    assert on_demand.hint is None


def test_retry_after_and_openai_and_text_bodies() -> None:
    limited = oci_error(
        _details(429, {"code": "TooManyRequests"}, **{"retry-after": "2"}),
        endpoint=ENDPOINT,
        context=_context(),
    )
    assert isinstance(limited, RateLimitError) and limited.retry_after == 2.0
    openai = _details(400, {"error": {"message": "bad temp", "type": "invalid_request_error"}})
    assert (openai.code, openai.message) == ("invalid_request_error", "bad temp")
    text = _details(502, b"<html>bad gateway</html>")
    assert text.code is None and "bad gateway" in text.message and text.body.startswith("<html>")


def test_transport_errors_translate_in_one_place() -> None:
    request = httpx.Request("POST", ENDPOINT)
    timeout = transport_error(httpx.ReadTimeout("slow", request=request), ENDPOINT)
    assert isinstance(timeout, ModelTimeoutError) and ENDPOINT in str(timeout)
    refused = transport_error(httpx.ConnectError("refused", request=request), ENDPOINT)
    assert isinstance(refused, ConnectError) and "ConnectError" in str(refused)
