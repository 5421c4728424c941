"""Every check of issue point 5, each answered with the OCI error body and status."""

from __future__ import annotations

import json
from email.utils import formatdate
from pathlib import Path
from time import time
from typing import Any

import httpx
import oci
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.emulator import Emulator

from ._helpers import (
    MODELS,
    Signer,
    chat_body,
    dedicated,
    details,
    on_demand,
    sdk_client,
    track,
    user_text,
)

CHAT = "/20231130/actions/chat"


def _error(response: Any) -> tuple[int, str]:
    assert response.headers["content-type"] == "application/json"
    assert response.headers["opc-request-id"]
    return response.status_code, response.json()["code"]


def _post(emu: Emulator, body: bytes, **kwargs: Any) -> Any:
    return Signer(emu.config_file).post(emu.url + CHAT, body, **kwargs)


def _sdk_error(emu: Emulator, serving_mode: Any, request: Any = None, **kw: Any) -> Any:
    request = request or MODELS.GenericChatRequest(messages=[user_text("hi")])
    chat = details(emu, serving_mode, request)
    for name, value in kw.items():
        setattr(chat, name, value)
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        sdk_client(emu).chat(chat)
    return caught.value


def test_a_correct_raw_signature_is_accepted(oci_emulator: Emulator) -> None:
    response = _post(oci_emulator, json.dumps(chat_body(oci_emulator)).encode())
    assert response.status_code == 200


def test_missing_signature_is_401(oci_emulator: Emulator) -> None:
    response = httpx.post(oci_emulator.url + CHAT, json=chat_body(oci_emulator))
    assert _error(response) == (401, "NotAuthenticated")


def test_tampered_body_is_401(oci_emulator: Emulator) -> None:
    body = json.dumps(chat_body(oci_emulator)).encode()
    headers = Signer(oci_emulator.config_file).headers(oci_emulator.url + CHAT, body)
    tampered = body.replace(b"Hello", b"Hallo")
    response = httpx.post(oci_emulator.url + CHAT, content=tampered, headers=headers)
    assert _error(response) == (401, "NotAuthenticated")
    assert "x-content-sha256" in response.json()["message"]


def test_bad_signature_is_401(oci_emulator: Emulator) -> None:
    body = json.dumps(chat_body(oci_emulator)).encode()
    headers = Signer(oci_emulator.config_file).headers(oci_emulator.url + CHAT, body)
    headers["authorization"] = headers["authorization"].replace('signature="', 'signature="AAAA')
    response = httpx.post(oci_emulator.url + CHAT, content=body, headers=headers)
    assert _error(response) == (401, "NotAuthenticated")


def test_unknown_key_is_401_through_the_sdk(oci_emulator: Emulator, tmp_path: Path) -> None:
    other = Emulator(state_dir=tmp_path / "other")
    other.start()
    other.stop()  # its state dir (a key the first emulator never saw) stays behind
    config = oci.config.from_file(other.config_file)
    client = oci.generative_ai_inference.GenerativeAiInferenceClient(
        config,
        service_endpoint=oci_emulator.service_endpoint,
        retry_strategy=oci.retry.NoneRetryStrategy(),
    )
    track(client)
    request = MODELS.GenericChatRequest(messages=[user_text("hi")])
    chat = details(oci_emulator, on_demand("meta.llama-3.3-70b-instruct"), request)
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        client.chat(chat)
    assert (caught.value.status, caught.value.code) == (401, "NotAuthenticated")
    assert "key id" in caught.value.message


def test_right_key_id_wrong_key_is_401(oci_emulator: Emulator) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad = Signer(oci_emulator.config_file, key=other)
    response = bad.post(oci_emulator.url + CHAT, json.dumps(chat_body(oci_emulator)).encode())
    assert _error(response) == (401, "NotAuthenticated")
    assert "does not match" in response.json()["message"]


def test_date_skew_over_five_minutes_is_401(oci_emulator: Emulator) -> None:
    body = json.dumps(chat_body(oci_emulator)).encode()
    stale = _post(oci_emulator, body, date=formatdate(time() - 360, usegmt=True))
    assert _error(stale) == (401, "NotAuthenticated")
    assert "5 minutes" in stale.json()["message"]
    fine = _post(oci_emulator, body, date=formatdate(time() - 240, usegmt=True))
    assert fine.status_code == 200


def test_malformed_json_is_400_cannot_parse(oci_emulator: Emulator) -> None:
    assert _error(_post(oci_emulator, b'{"compartmentId": ')) == (400, "CannotParseRequest")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_numbers_json_has_no_spelling_for_are_400_cannot_parse(
    oci_emulator: Emulator, constant: str
) -> None:
    """Python's ``json`` writes and reads ``NaN``; JSON has none, and OCI refuses it."""
    body = json.dumps(chat_body(oci_emulator, temperature=0.5)).encode()
    assert b'"temperature": 0.5' in body
    nan_body = body.replace(b'"temperature": 0.5', b'"temperature": ' + constant.encode())
    assert _error(_post(oci_emulator, nan_body)) == (400, "CannotParseRequest")
    assert _post(oci_emulator, body).status_code == 200


def test_invalid_field_is_400_invalid_parameter(oci_emulator: Emulator) -> None:
    body = chat_body(oci_emulator, temperature="hot")
    assert _error(_post(oci_emulator, json.dumps(body).encode())) == (400, "InvalidParameter")


def test_wrong_compartment_is_404(oci_emulator: Emulator) -> None:
    error = _sdk_error(
        oci_emulator,
        on_demand("meta.llama-3.3-70b-instruct"),
        compartment_id="ocid1.compartment.oc1..aaaaaaaaother",
    )
    assert (error.status, error.code) == (404, "NotAuthorizedOrNotFound")
    assert error.request_id


def test_unknown_model_is_404(oci_emulator: Emulator) -> None:
    error = _sdk_error(oci_emulator, on_demand("meta.llama-9-1t"))
    assert (error.status, error.code) == (404, "NotAuthorizedOrNotFound")


def test_unknown_endpoint_is_404(oci_emulator: Emulator) -> None:
    ocid = "ocid1.generativeaiendpoint.oc1.us-chicago-1.amaaaaaanotanendpointatall"
    error = _sdk_error(oci_emulator, dedicated(ocid))
    assert (error.status, error.code) == (404, "NotAuthorizedOrNotFound")


def test_endpoint_from_another_region_is_404(oci_emulator: Emulator) -> None:
    ocid = oci_emulator.endpoint("native")["ocid"].replace("us-chicago-1", "uk-london-1")
    error = _sdk_error(oci_emulator, dedicated(ocid))
    assert (error.status, error.code) == (404, "NotAuthorizedOrNotFound")
    assert "uk-london-1" in error.message


def test_api_format_not_matching_the_endpoint_model_is_400(oci_emulator: Emulator) -> None:
    cohere_endpoint = oci_emulator.endpoint("cohere")["ocid"]
    error = _sdk_error(oci_emulator, dedicated(cohere_endpoint))
    assert (error.status, error.code) == (400, "InvalidParameter")
    assert "GENERIC" in error.message


def test_cohere_request_to_a_generic_model_is_400(oci_emulator: Emulator) -> None:
    request = MODELS.CohereChatRequest(message="hi")
    error = _sdk_error(oci_emulator, on_demand("meta.llama-3.3-70b-instruct"), request)
    assert (error.status, error.code) == (400, "InvalidParameter")


def test_unknown_path_is_an_oci_404(oci_emulator: Emulator) -> None:
    answer = httpx.post(oci_emulator.url + "/20231130/actions/nothing", json={})
    assert _error(answer) == (404, "NotAuthorizedOrNotFound")
