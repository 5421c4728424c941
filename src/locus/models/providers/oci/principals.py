"""Instance, resource and workload-identity principals through the ``oci`` SDK's signers.

The SDK federates the tokens (IMDS + federation endpoint, resource-principal
environment, OKE proxymux); ``PrincipalAuth`` adapts its signer to an ``httpx.Auth``
flow that signs every attempt, refreshes the token before its ``exp`` (read from the
token the signer used), and after a 401 refreshes once and re-signs. In async code the
SDK's blocking work runs in a worker thread, never on the event loop, and concurrent
requests share one refresh. The ``oci`` package is imported lazily.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

from locus.core.errors import CredentialsError
from locus.models.providers.oci._signing_auth import Clock, OCISigningAuth
from locus.models.providers.oci._skew import measure_skew
from locus.models.providers.oci.token import TokenTimes, token_from_authorization

__all__ = ["PrincipalAuth", "principal_signer"]

_SIGNED = ("date", "host", "content-length", "content-type", "x-content-sha256", "authorization")
_RETRY_FAILED_REFRESH_AFTER = 10.0


class PrincipalAuth(OCISigningAuth):
    """Signs each attempt with an ``oci`` SDK signer and keeps its token fresh.

    ``margin`` is how long before ``exp`` a token is refreshed (at most half its life).
    ``refreshes`` counts successful refreshes; ``last_refresh_error`` keeps the last
    failure (``None`` after a success).
    """

    def __init__(
        self, sdk_signer: Any, *, kind: str, clock: Clock | None = None, margin: float = 300.0
    ) -> None:
        super().__init__(clock=clock)
        self._sdk_signer = sdk_signer
        self._kind = kind
        self._margin = margin
        self._sign_lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._times = TokenTimes(None, None)
        self._generation = 0
        self._quiet_until = 0.0
        self.refreshes = 0
        self.last_refresh_error: BaseException | None = None

    plain_signing = False
    """The ``oci`` SDK signs an ``httpx.Request`` here (no ``PlainRequest`` signing)."""

    def __repr__(self) -> str:
        return f"PrincipalAuth({self._kind})"

    @property
    def region(self) -> str | None:
        """The principal's region, when the SDK signer knows it."""
        value = getattr(self._sdk_signer, "region", None)
        return value if isinstance(value, str) and value else None

    @property
    def tenancy(self) -> str | None:
        """The principal's tenancy OCID, when the SDK signer knows it."""
        value = getattr(self._sdk_signer, "tenancy_id", None)
        return value if isinstance(value, str) and value else None

    @property
    def expires_at(self) -> float | None:
        """``exp`` of the token used by the last signature, when known."""
        return self._times.expires

    @property
    def can_refresh(self) -> bool:
        """True when the SDK signer can fetch a new token."""
        return callable(getattr(self._sdk_signer, "refresh_security_token", None))

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        if self._refresh_due():
            self._refresh(self._generation)
        generation = self._generation
        self._sign(request)
        response = yield request
        if response.status_code == 401 and self._after_401(response) and self._refresh(generation):
            self._sign(request)
            yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._refresh_due():
            await asyncio.to_thread(self._refresh, self._generation)
        generation = self._generation
        await self._sign_off_loop_unless_fresh(request)
        response = yield request
        if response.status_code != 401 or not self._after_401(response):
            return
        if await asyncio.to_thread(self._refresh, generation):
            await asyncio.to_thread(self._sign, request)
            yield request

    def known_cause(self) -> str | None:
        error = self.last_refresh_error
        if error is not None:
            text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
            return f"the last {self._what} token refresh failed: {type(error).__name__}: {text}"
        if self.expires_at is not None and self.expires_at <= self.clock():
            return f"the {self._what} token has expired and could not be refreshed"
        return None

    def close(self) -> None:
        """Close the ``requests`` sessions of the SDK signer (metadata, federation).

        They stay usable: a later refresh opens new connections.
        """
        for session in sdk_sessions(self._sdk_signer):
            session.close()

    @property
    def kind(self) -> str:
        """The principal kind in words, e.g. ``"instance principal"``."""
        return self._what

    @property
    def _what(self) -> str:
        return self._kind.replace("_", " ")

    async def _sign_off_loop_unless_fresh(self, request: httpx.Request) -> None:
        # A fresh token means the SDK signer will not touch the network: sign right here,
        # unless a refresh holds the signer (then waiting for it would block the loop).
        due = self._times.refresh_at(margin=self._margin)
        fresh = due is not None and self.clock() < due and self.last_refresh_error is None
        if not (fresh and self._sign(request, wait=False)):
            await asyncio.to_thread(self._sign, request)

    def _after_401(self, response: httpx.Response) -> bool:
        self._skew = measure_skew(response, self.clock())
        return self.can_refresh

    def _refresh_due(self) -> bool:
        if not self.can_refresh:
            return False
        due = self._times.refresh_at(margin=self._margin)
        now = self.clock()
        return due is not None and now >= due and now >= self._quiet_until

    def _refresh(self, seen_generation: int) -> bool:
        """Refresh the token unless another caller did since ``seen_generation``;
        True when a newer token is there."""
        if not self.can_refresh:
            return False
        with self._refresh_lock:
            if self._generation != seen_generation:
                return True
            try:
                with self._sign_lock:
                    self._sdk_signer.refresh_security_token()
            except Exception as exc:  # the SDK raises many types; keep it for diagnosis
                self.last_refresh_error = exc
                self._quiet_until = self.clock() + _RETRY_FAILED_REFRESH_AFTER
                self._fail_if_expired()
                return False
            self.last_refresh_error = None
            self._generation += 1
            self.refreshes += 1
            return True

    def _fail_if_expired(self) -> None:
        expires = self._times.expires
        if expires is not None and expires <= self.clock():
            error = self.last_refresh_error
            raise CredentialsError(
                f"the {self._what} token expired and refreshing it failed "
                f"({type(error).__name__}); check the metadata/federation endpoints and the "
                "principal's environment"
            )

    def _sign(self, request: httpx.Request, *, wait: bool = True) -> bool:
        """Sign with the SDK signer; with ``wait=False``, give up (False) if it is busy."""
        from oci._vendor import requests as sdk_requests  # lazy: optional extra

        if not self._sign_lock.acquire(blocking=wait):
            return False
        try:
            prepared = self._prepared(request, sdk_requests)
            self._sdk_signer(prepared)
        finally:
            self._sign_lock.release()
        for name in _SIGNED:
            value = prepared.headers.get(name)
            if value is not None:
                request.headers[name] = value
        token = token_from_authorization(request.headers.get("authorization"))
        if token is not None:
            self._times = TokenTimes.of(token)
        return True

    @staticmethod
    def _prepared(request: httpx.Request, sdk_requests: Any) -> Any:
        """The request as the SDK signer expects it (a prepared ``requests`` request)."""
        for name in _SIGNED:
            if name != "content-type":
                request.headers.pop(name, None)
        return sdk_requests.Request(
            request.method, str(request.url), headers=dict(request.headers), data=request.content
        ).prepare()


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
        "instance_principal": lambda: signers.InstancePrincipalsSecurityTokenSigner(
            **_federation_override()
        ),
        "resource_principal": signers.get_resource_principals_signer,
        "workload_identity": lambda: signers.get_oke_workload_identity_resource_principal_signer(
            **_service_account_override()
        ),
    }
    try:
        return factories[kind]()
    except Exception as exc:
        _close_sessions_of(exc)
        raise CredentialsError(_setup_failure(kind, exc)) from None


def _close_sessions_of(exc: BaseException) -> None:
    """Close the HTTP responses and sessions that a failed SDK setup left open (the SDK
    keeps them referenced from the error; their sockets would leak until collected)."""
    from oci._vendor import requests as sdk_requests

    frame = exc.__traceback__
    while frame is not None:
        for value in list(frame.tb_frame.f_locals.values()):
            if isinstance(value, sdk_requests.Response):
                value.close()
            session = getattr(value, "requests_session", None)
            if isinstance(session, sdk_requests.Session):
                session.close()
        frame = frame.tb_next


def sdk_sessions(root: Any, depth: int = 3) -> list[Any]:
    """The ``requests`` sessions reachable from an SDK signer (its retrievers and clients)."""
    from oci._vendor import requests as sdk_requests

    found: list[Any] = []
    seen: set[int] = set()
    todo: list[tuple[Any, int]] = [(root, 0)]
    while todo:
        value, level = todo.pop()
        if id(value) in seen or isinstance(value, str | bytes | int | float | bool):
            continue
        seen.add(id(value))
        if isinstance(value, sdk_requests.Session):
            found.append(value)
        elif level < depth:
            children = value if isinstance(value, list | tuple) else getattr(value, "__dict__", {})
            items = children.values() if isinstance(children, dict) else children
            todo.extend((child, level + 1) for child in items)
    return found


def _federation_override() -> dict[str, Any]:
    """``OCI_FEDERATION_ENDPOINT`` (ours; the SDK derives it from the region otherwise)."""
    endpoint = os.environ.get("OCI_FEDERATION_ENDPOINT", "").strip()
    return {"federation_endpoint": endpoint} if endpoint else {}


def _service_account_override() -> dict[str, Any]:
    """``OCI_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH`` (ours; the SDK reads a fixed path)."""
    path = os.environ.get("OCI_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH", "").strip()
    return {"service_account_token_path": path} if path else {}


def _setup_failure(kind: str, exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    where = {
        "instance_principal": "the instance metadata service (OCI_METADATA_BASE_URL) and "
        "federation endpoint must answer: this works only on OCI compute",
        "resource_principal": "the OCI_RESOURCE_PRINCIPAL_* environment (VERSION, RPST, "
        "PRIVATE_PEM, REGION) must be set, as in OCI Functions and Data Science",
        "workload_identity": "KUBERNETES_SERVICE_HOST and the pod's service-account token "
        "must be present, as in an OKE enhanced cluster",
    }[kind]
    return (
        f"cannot set up {kind.replace('_', ' ')} credentials ({type(exc).__name__}: {text}); "
        f"{where}"
    )
