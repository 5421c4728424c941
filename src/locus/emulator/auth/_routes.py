"""HTTP routes of the identity plane: instance metadata (``/opc/v2``) and federation.

``GET /opc/v2/instance/region`` and ``/opc/v2/identity/{cert,key,intermediate}.pem``
need ``Authorization: Bearer Oracle`` (wire-spec §6, instance principals).
``POST /v1/x509`` takes ``{"certificate", "publicKey", "intermediateCertificates"}``
signed with the leaf key under ``<tenancy>/fed-x509/<fingerprint>`` and answers
``{"token": <JWT>}``. Both answer 404 until instance principals are enabled.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from locus.emulator._errors import ApiError, bad_request, not_authenticated
from locus.emulator.auth._identity import InstanceIdentity
from locus.emulator.auth._keys import load_public_body
from locus.emulator.auth._principals import Principals
from locus.emulator.auth._signature import (
    MAX_SKEW_SECONDS,
    SignatureError,
    check_body,
    check_signature,
    parse_authorization,
    signing_string,
)
from locus.emulator.wire import error_response, json_response

__all__ = ["principal_routes"]

Lookup = Callable[[], Principals | None]
_PEMS = {"cert.pem": "leaf_pem", "key.pem": "key_pem", "intermediate.pem": "intermediate_pem"}
_FED_HEADERS = ("date", "(request-target)", "content-length", "content-type", "x-content-sha256")


def principal_routes(lookup: Lookup, request_id: Callable[[Request], str]) -> list[Route]:
    """The IMDS and federation routes, serving whatever ``lookup()`` returns."""

    def bind(handler: Callable[[Principals, Request], Awaitable[Response]]) -> Any:
        async def endpoint(request: Request) -> Response:
            principals = lookup()
            try:
                if principals is None:
                    raise _off()
                return await handler(principals, request)
            except ApiError as error:
                answer = error_response(error, request_id(request))
                answer.headers["connection"] = "close"
                return answer

        return endpoint

    return [
        Route("/opc/v2/instance/region", bind(_region), methods=["GET"]),
        Route("/opc/v2/identity/{name}", bind(_identity_pem), methods=["GET"]),
        Route("/v1/x509", bind(_federate), methods=["POST"]),
    ]


def _off() -> ApiError:
    return ApiError(404, "NotAuthorizedOrNotFound", "instance principals are off")


def _check_metadata_access(principals: Principals, request: Request) -> None:
    if principals.metadata_denied:
        raise ApiError(403, "NotAllowed", "the instance metadata service refused the request")
    if not principals.instance_enabled:
        raise _off()
    if request.headers.get("authorization") != "Bearer Oracle":
        raise ApiError(401, "NotAuthenticated", "IMDS v2 needs Authorization: Bearer Oracle")


async def _region(principals: Principals, request: Request) -> Response:
    _check_metadata_access(principals, request)
    principals.calls["imds"] += 1
    return _text(principals.region)


async def _identity_pem(principals: Principals, request: Request) -> Response:
    _check_metadata_access(principals, request)
    field = _PEMS.get(request.path_params["name"])
    if field is None:
        raise ApiError(404, "NotFound", "no such identity document")
    principals.calls["imds"] += 1
    return _text(getattr(principals.instance, field))


async def _federate(principals: Principals, request: Request) -> Response:
    if not principals.instance_enabled:
        raise _off()
    body = await request.body()
    instance = principals.instance
    try:
        _verify_federation_signature(request, body, instance)
    except SignatureError as exc:
        raise not_authenticated(str(exc)) from exc
    if principals.federation_refusing:
        raise not_authenticated(principals.federation_refusing)
    payload = _payload(body)
    if "".join(str(payload.get("certificate", "")).split()) != _pem_body(instance.leaf_pem):
        raise not_authenticated("the certificate is not the one of the signing key")
    try:
        session_key = load_public_body(str(payload.get("publicKey", "")))
    except ValueError as exc:
        raise bad_request("publicKey is not an RSA public key") from exc
    principals.calls["federation"] += 1
    token = principals.authority.issue(session_key, kind="instance", subject=instance.instance)
    answer = json_response({"token": token}, request.headers.get("opc-request-id", "fed"))
    answer.headers["connection"] = "close"
    return answer


def _text(content: str | bytes) -> Response:
    # "Connection: close": the SDK's pooled sessions are never closed; don't leave sockets.
    return Response(content, 200, {"content-type": "text/plain", "connection": "close"})


def _payload(body: bytes) -> Mapping[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise bad_request("the body is not JSON") from exc
    if not isinstance(parsed, dict):
        raise bad_request("the body must be a JSON object")
    return parsed


def _pem_body(pem: bytes) -> str:
    lines = pem.decode("ascii").strip().splitlines()
    return "".join(line for line in lines if not line.startswith("-----"))


def _verify_federation_signature(request: Request, body: bytes, instance: InstanceIdentity) -> None:
    headers = request.headers
    params = parse_authorization(headers.get("authorization"))
    if params["keyId"] != instance.key_id:
        raise SignatureError("The key id is not this instance's fed-x509 key")
    names = params["headers"].lower().split()
    missing = [name for name in _FED_HEADERS if name not in names]
    if missing:
        raise SignatureError(f"Required headers are not signed: {' '.join(missing)}")
    check_body(headers, body)
    _check_date(headers.get("date", ""))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    signing = signing_string(request.method, target, headers, names)
    check_signature(instance.public_key, params["signature"], signing)


def _check_date(value: str) -> None:
    try:
        stamp = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError) as exc:
        raise SignatureError("The date header is missing or not an HTTP date") from exc
    if abs(time.time() - stamp) > MAX_SKEW_SECONDS:
        raise SignatureError("The request date is more than 5 minutes away from server time")
