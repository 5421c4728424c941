"""Instance, resource and workload-identity principals through the ``oci`` SDK's signers.

The SDK federates the tokens (IMDS, resource-principal env, OKE service account); we
adapt its signer to an ``httpx.Auth`` flow. Its blocking work (signing may refresh the
token over the network) runs off the event loop, one call at a time. On a 401 the token
is refreshed and the request re-signed once. The ``oci`` package is imported lazily.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

from locus.core.errors import CredentialsError

__all__ = ["PrincipalAuth", "principal_signer"]

_SIGNED = ("date", "host", "content-length", "content-type", "x-content-sha256", "authorization")


class PrincipalAuth(httpx.Auth):
    """Signs each attempt with an ``oci`` SDK signer (token federation included)."""

    requires_request_body = True

    def __init__(self, sdk_signer: Any, *, kind: str) -> None:
        self._sdk_signer = sdk_signer
        self._kind = kind
        self._lock = threading.Lock()
        self.last_refresh_error: BaseException | None = None

    def __repr__(self) -> str:
        return f"PrincipalAuth({self._kind})"

    @property
    def region(self) -> str | None:
        """The principal's region, when the SDK signer knows it."""
        value = getattr(self._sdk_signer, "region", None)
        return value if isinstance(value, str) and value else None

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        self._sign(request)
        response = yield request
        if response.status_code == 401 and self._refresh():
            self._sign(request)
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await asyncio.to_thread(self._sign, request)
        response = yield request
        if response.status_code == 401 and await asyncio.to_thread(self._refresh):
            await asyncio.to_thread(self._sign, request)
            yield request

    def _sign(self, request: httpx.Request) -> None:
        from oci._vendor import requests as sdk_requests  # lazy: optional extra

        for name in _SIGNED:
            if name != "content-type":
                request.headers.pop(name, None)
        prepared = sdk_requests.Request(
            request.method, str(request.url), headers=dict(request.headers), data=request.content
        ).prepare()
        with self._lock:
            self._sdk_signer(prepared)
        for name in _SIGNED:
            value = prepared.headers.get(name)
            if value is not None:
                request.headers[name] = value

    def _refresh(self) -> bool:
        refresh: Callable[[], Any] | None = getattr(
            self._sdk_signer, "refresh_security_token", None
        )
        if refresh is None:
            return False
        try:
            with self._lock:
                refresh()
        except Exception as exc:  # the SDK raises many types; keep it for diagnosis
            self.last_refresh_error = exc
            return False
        self.last_refresh_error = None
        return True


def principal_signer(kind: str) -> Any:
    """Build the SDK signer for ``instance_principal``, ``resource_principal`` or
    ``workload_identity``; a missing SDK or environment is a ``CredentialsError``."""
    try:
        from oci.auth import signers
    except ImportError:
        raise CredentialsError(
            f"auth_type {kind.upper()} needs the oci SDK: pip install 'locus-oci[oci]'"
        ) from None
    factories: dict[str, Callable[[], Any]] = {
        "instance_principal": signers.InstancePrincipalsSecurityTokenSigner,
        "resource_principal": signers.get_resource_principals_signer,
        "workload_identity": signers.get_oke_workload_identity_resource_principal_signer,
    }
    try:
        return factories[kind]()
    except Exception as exc:
        raise CredentialsError(
            f"cannot set up {kind.replace('_', ' ')} credentials: {type(exc).__name__}: {exc}"
        ) from None
