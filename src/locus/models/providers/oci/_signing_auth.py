"""``OCISigningAuth``: the ``httpx.Auth`` flow that OCI-signs every request attempt.

It signs, sends, and after a 401 remembers the clock skew the answer revealed (for the
hint) and lets its subclass refresh credentials and re-sign once: ``ApiKeyAuth`` (a
profile's API key), ``SessionTokenAuth`` (``ST$<token>``) and ``PrincipalAuth`` (the
``oci`` SDK's principals).

When a flow already has ``OFFLOAD_IN_FLIGHT`` requests in flight, the async flow signs in
the signing threads (``_signing_threads``) and the event loop serves the other requests
meanwhile; a lone request is signed inline, where the thread hop would cost more than it
saves.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable, Generator, MutableMapping

import httpx

from locus.models.http._plain import PlainRequest, ResponseHead
from locus.models.providers.oci._ids import new_request_id
from locus.models.providers.oci._request_signature import (
    apply_plain_signature,
    apply_signature,
    prepare_plain_signature,
    prepare_signature,
    sign_plain_request,
    sign_request,
)
from locus.models.providers.oci._signing_threads import signing_threads
from locus.models.providers.oci._skew import describe_skew, measure_skew
from locus.models.providers.oci.signer import RequestSigner

__all__ = ["OFFLOAD_IN_FLIGHT", "Clock", "OCISigningAuth"]

Clock = Callable[[], float]

OFFLOAD_IN_FLIGHT = 4
"""Requests of one flow in flight (signed, not yet answered) from which signing leaves the loop."""


class OCISigningAuth(httpx.Auth):
    """Base flow: sign, send, and on a 401 refresh credentials and re-sign once.

    ``clock`` dates the signatures (``time.time`` unless given).
    """

    requires_request_body = True
    plain_signing = True
    """Signs ``PlainRequest``s too (the aiohttp direct path; ``locus.models.http._plain``)."""

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or time.time
        self._skew: float | None = None
        self._in_flight = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        sign_request(request, self.current_signer(), now=self.clock())
        response = yield request
        if response.status_code != 401:
            return
        self._skew = measure_skew(response, self.clock())
        if self._retry_after_401(request.headers.get("authorization")):
            _new_attempt(request.headers)
            sign_request(request, self.current_signer(), now=self.clock())
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """``auth_flow`` for async clients, signing off the loop when it is busy."""
        await request.aread()
        await self._sign_async(request)
        self._in_flight += 1
        try:
            response = yield request
        finally:
            self._in_flight -= 1
        if response.status_code != 401:
            return
        self._skew = measure_skew(response, self.clock())
        if self._retry_after_401(request.headers.get("authorization")):
            _new_attempt(request.headers)
            await self._sign_async(request)
            yield request

    async def _sign_async(self, request: httpx.Request) -> None:
        signer, now = self.current_signer(), self.clock()
        if self._in_flight < OFFLOAD_IN_FLIGHT:
            sign_request(request, signer, now=now)
            return
        # only the RSA operation leaves the loop: it holds no GIL, so the loop runs on
        pending, present = prepare_signature(request, signer, now)
        raw = await signing_threads.sign(signer.rsa_sign, pending.text)
        apply_signature(request, signer.finish(pending, raw), present)

    async def sign_plain(self, request: PlainRequest) -> None:
        """``async_auth_flow``'s first step for a ``PlainRequest``: the same signature, in
        place (coroutines, not a flow generator: nothing kept per call while it waits)."""
        await self._sign_plain_async(request)
        self._in_flight += 1

    def plain_answered(self) -> None:
        """The attempt ``sign_plain`` signed has its answer (or failed)."""
        self._in_flight -= 1

    async def resign_plain(self, request: PlainRequest, response: ResponseHead) -> bool:
        """``async_auth_flow``'s second step: after a 401, the clock skew is recorded and,
        when the credentials were reloaded, ``request`` is signed again (True)."""
        if response.status_code != 401:
            return False
        self._skew = measure_skew(response, self.clock())
        if not self._retry_after_401(request.headers.get("authorization")):
            return False
        _new_attempt(request.headers)
        await self._sign_plain_async(request)
        return True

    async def _sign_plain_async(self, request: PlainRequest) -> None:
        signer, now = self.current_signer(), self.clock()
        if self._in_flight < OFFLOAD_IN_FLIGHT:
            sign_plain_request(request, signer, now=now)
            return
        pending, present = prepare_plain_signature(request, signer, now)
        raw = await signing_threads.sign(signer.rsa_sign, pending.text)
        apply_plain_signature(request, signer.finish(pending, raw), present)

    def current_signer(self) -> RequestSigner:
        """The signer for the next attempt."""
        raise NotImplementedError

    def refresh_after_401(self) -> bool:
        """Reload credentials after a 401; True when a re-signed retry is worth it."""
        return False

    def renewed_since(self, authorization: str | None) -> bool:
        """Whether credentials newer than those that made ``authorization`` (the 401'd
        attempt's header) are already in use, reloaded after another request's 401."""
        return False

    def _retry_after_401(self, authorization: str | None) -> bool:
        """Whether to sign a 401'd attempt again: the credentials were reloaded now, or
        since it was signed."""
        return self.refresh_after_401() or self.renewed_since(authorization)

    def diagnosis(self) -> str | None:
        """A known local cause of a 401 (never secret), for the error's hint."""
        return describe_skew(self._skew) or self.known_cause()

    def known_cause(self) -> str | None:
        """A cause of a 401 this kind of credentials can tell locally."""
        return None


def _new_attempt(headers: MutableMapping[str, str]) -> None:
    """A request sent again after a 401 is a new attempt: a new ``opc-request-id``, as on
    every attempt (wire-spec: the service's logs tell the attempts apart)."""
    if "opc-request-id" in headers:
        headers["opc-request-id"] = new_request_id()
