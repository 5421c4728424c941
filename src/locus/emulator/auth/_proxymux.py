"""OKE workload identity's proxymux: ``POST https://$KUBERNETES_SERVICE_HOST:12250/
resourcePrincipalSessionTokens`` with the pod's service-account token as bearer and
``{"podKey": <public key PEM body>}``; the answer is base64 of ``{"token": "ST$<jwt>"}``.

The SDK fixes the port (12250) and checks TLS against
``OCI_KUBERNETES_SERVICE_ACCOUNT_CERT_PATH``, so this server listens on a random
``127.x.y.z`` address (no clash with other runs) with its own throwaway CA. Where only
``127.0.0.1`` is a loopback address (macOS by default), it listens there: one emulator
with workload identity at a time.
"""

from __future__ import annotations

import base64
import errno
import json
import random
import socket
import threading
import time
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from locus.emulator.auth._authority import TokenAuthority
from locus.emulator.auth._files import new_session_key, write_token
from locus.emulator.auth._keys import load_public_body
from locus.emulator.auth._signature import SignatureError
from locus.emulator.auth._tls import write_server_tls

__all__ = ["PROXYMUX_PORT", "Proxymux"]

PROXYMUX_PORT = 12250
_SUBJECT = "system:serviceaccount:default:locus"


class Proxymux:
    """The proxymux of one emulated OKE cluster, served over TLS in a background thread."""

    def __init__(self, authority: TokenAuthority, folder: Path) -> None:
        self._authority = authority
        self._folder = folder
        octets = (random.randint(1, 254), random.randint(1, 254), random.randint(2, 254))
        self.host = "127.{}.{}.{}".format(*octets)
        self.calls = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, region: str) -> dict[str, str]:
        """Serve, write the service-account token; the environment a pod would have."""
        sock = self._bind()
        ca, cert, key = write_server_tls(self._folder / "tls", self.host)
        sa_token = self.write_service_account_token()
        route = Route("/resourcePrincipalSessionTokens", self._rpst, methods=["POST"])
        app = Starlette(routes=[route])
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            ssl_certfile=str(cert),
            ssl_keyfile=str(key),
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="locus-proxymux", daemon=True
        )
        self._thread.start()
        self._wait_started()
        return {
            "KUBERNETES_SERVICE_HOST": self.host,
            "OCI_KUBERNETES_SERVICE_ACCOUNT_CERT_PATH": str(ca),
            "OCI_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH": str(sa_token),
            "OCI_RESOURCE_PRINCIPAL_REGION": region,
        }

    def _bind(self) -> socket.socket:
        """A socket on ``PROXYMUX_PORT`` at this cluster's own address, or at ``127.0.0.1``
        where that address is not a local one (``self.host`` then says so)."""
        for host in (self.host, "127.0.0.1"):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, PROXYMUX_PORT))
            except OSError as exc:
                sock.close()
                if exc.errno == errno.EADDRNOTAVAIL and host != "127.0.0.1":
                    continue
                raise RuntimeError(
                    f"the emulated OKE proxymux cannot listen on {host}:{PROXYMUX_PORT} "
                    f"({exc.strerror}); the oci SDK always calls that port: stop the other "
                    "emulator that enabled workload identity"
                ) from exc
            self.host = host
            return sock
        raise AssertionError("unreachable")  # pragma: no cover

    def write_service_account_token(self, lifetime: float = 3600.0) -> Path:
        """Write the pod's (projected) service-account token, as the kubelet does."""
        token = self._authority.issue(
            new_session_key().public_key(),
            kind="serviceaccount",
            subject=_SUBJECT,
            lifetime=lifetime,
        )
        return write_token(self._folder / "serviceaccount" / "token", token)

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def _wait_started(self) -> None:
        deadline = time.monotonic() + 30
        while self._server is not None and not self._server.started:
            if self._thread is None or not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the proxymux did not start")
            time.sleep(0.01)

    async def _rpst(self, request: Request) -> Response:
        bearer = request.headers.get("authorization", "")
        try:
            self._authority.check(bearer.removeprefix("Bearer ").strip(), kind="serviceaccount")
            pod_key = load_public_body(str(json.loads(await request.body()).get("podKey", "")))
        except (SignatureError, ValueError, AttributeError):
            return Response(b"Unauthorized", 401, {"connection": "close"})
        self.calls += 1
        token = self._authority.issue(pod_key, kind="workload", subject=_SUBJECT)
        body = json.dumps({"token": f"ST${token}"}).encode()
        headers = {"content-type": "application/json", "connection": "close"}
        return Response(base64.b64encode(body), 200, headers)
