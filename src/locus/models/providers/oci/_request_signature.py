"""An OCI signature added to an ``httpx.Request`` (the headers ``RequestSigner`` makes).

Split in two for the signing threads: ``prepare_signature`` (everything but the RSA
operation) and ``apply_signature``; ``sign_request`` does both in one go.
"""

from __future__ import annotations

from email.utils import formatdate

import httpx

from locus.models.http._plain import PlainRequest
from locus.models.providers.oci.signer import PendingSignature, RequestSigner

__all__ = [
    "apply_plain_signature",
    "apply_signature",
    "http_date",
    "prepare_plain_signature",
    "prepare_signature",
    "sign_plain_request",
    "sign_request",
]

_USUALLY_PRESENT = frozenset({"host", "content-type", "content-length"})
_PRESENT_NAMES = {name.encode("ascii"): name for name in _USUALLY_PRESENT}


_last_date: tuple[int, str] = (-1, "")


def http_date(now: float) -> str:
    """``formatdate(now, usegmt=True)``, made once per second (the last one is kept)."""
    global _last_date
    second = int(now)
    last = _last_date
    if last[0] == second:
        return last[1]
    text = formatdate(second, usegmt=True)
    _last_date = (second, text)
    return text


def sign_request(
    request: httpx.Request, signer: RequestSigner, *, now: float | None = None
) -> None:
    """Add the OCI signature headers to an httpx request (body must be read)."""
    pending, present = prepare_signature(request, signer, now)
    apply_signature(request, signer.finish(pending, signer.rsa_sign(pending.text)), present)


def prepare_signature(
    request: httpx.Request, signer: RequestSigner, now: float | None
) -> tuple[PendingSignature, dict[str, str]]:
    """The signature to make, and the usually-present headers the request has."""
    # one pass over the headers (each lookup in httpx.Headers scans the whole list)
    present = _present(request)
    target = request.url.raw_path.decode("ascii")
    host = present.get("host") or request.url.netloc.decode("ascii")
    content_type = present.get("content-type")
    if content_type is None:
        content_type = present["content-type"] = request.headers["content-type"] = (
            "application/json"
        )
    date = http_date(now) if now is not None else None
    pending = signer.prepare(request.method, target, host, request.content, date, content_type)
    return pending, present


def _present(request: httpx.Request) -> dict[str, str]:
    """The request's usually-present headers (first value of each), lower-cased names."""
    found: dict[str, str] = {}
    for key, value in request.headers.raw:
        name = _PRESENT_NAMES.get(key.lower())
        if name is not None and name not in found:
            found[name] = value.decode("latin-1")
    return found


def apply_signature(
    request: httpx.Request, signed: dict[str, str], present: dict[str, str]
) -> None:
    """Write the signed headers that are not already there with the same value."""
    headers = request.headers
    for name, value in signed.items():
        # host, content-type and content-length are usually there already, with this value;
        # httpx's header assignment scans the whole list, so only write what is new
        if present.get(name) == value:
            continue
        headers[name] = value


def sign_plain_request(
    request: PlainRequest, signer: RequestSigner, *, now: float | None = None
) -> None:
    """``sign_request`` for a ``PlainRequest`` (the same headers, written in place)."""
    pending, present = prepare_plain_signature(request, signer, now)
    apply_plain_signature(request, signer.finish(pending, signer.rsa_sign(pending.text)), present)


def prepare_plain_signature(
    request: PlainRequest, signer: RequestSigner, now: float | None
) -> tuple[PendingSignature, dict[str, str]]:
    """``prepare_signature`` for a ``PlainRequest``; ``present`` maps each usually-present
    header (lower case) to its name as spelt in the request."""
    headers = request.headers
    present: dict[str, str] = {}
    for key in headers:
        name = key.lower()
        if name in _USUALLY_PRESENT and name not in present:
            present[name] = key
    host = headers[present["host"]] if "host" in present else request.host
    if "content-type" in present:
        content_type = headers[present["content-type"]]
    else:
        content_type = headers["content-type"] = "application/json"
        present["content-type"] = "content-type"
    date = http_date(now) if now is not None else None
    pending = signer.prepare("POST", request.target, host, request.body, date, content_type)
    return pending, present


def apply_plain_signature(
    request: PlainRequest, signed: dict[str, str], present: dict[str, str]
) -> None:
    """Write the signed headers: a usually-present one under its own spelling."""
    headers = request.headers
    for name, value in signed.items():
        headers[present.get(name, name)] = value
