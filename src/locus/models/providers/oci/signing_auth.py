"""``httpx.Auth`` flows that OCI-sign every request attempt with our own signer.

``ApiKeyAuth`` signs with a profile's API key. ``SessionTokenAuth`` signs with
``ST$<token>``; it re-reads the token file when it changes on disk (``oci session
refresh`` out of band) and, after a 401, re-reads it and re-signs once when the file
holds a new token. Every flow remembers the clock skew a 401 revealed, for the hint.

An RSA-2048 signature costs about 0.3 ms of CPU, and OpenSSL releases the GIL while it
works. So when a model already has ``OFFLOAD_IN_FLIGHT`` requests in flight, the async
flow signs in a small worker pool and the event loop serves the other requests
meanwhile; a lone request is signed inline, where the thread hop would cost more than
it saves.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import os
import queue
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from locus.core.errors import CredentialsError
from locus.models.providers.oci.signer import PendingSignature, RequestSigner
from locus.models.providers.oci.skew import describe_skew, measure_skew
from locus.models.providers.oci.token import token_expiry

__all__ = [
    "ApiKeyAuth",
    "Clock",
    "OCISigningAuth",
    "SessionTokenAuth",
    "sign_request",
    "token_expiry",
]

Clock = Callable[[], float]

_USUALLY_PRESENT = frozenset({"host", "content-type", "content-length"})
_PRESENT_NAMES = {name.encode("ascii"): name for name in _USUALLY_PRESENT}

OFFLOAD_IN_FLIGHT = 4
"""Requests of one flow in flight (signed, not yet answered) from which signing leaves the loop."""
SIGNING_THREADS = 2


class _Mailbox:
    """Answers for one event loop, handed over in batches.

    A thread posts an answer and wakes the loop only when no wake-up is pending, so the
    answers that come in while the loop is busy ride on one ``call_soon_threadsafe``.
    Each wake-up writes to the loop's self-pipe, which drops the GIL; while the loop runs
    Python, a thread that dropped it waits up to the switch interval (5 ms) to get it
    back, so fewer wake-ups leave the threads more time for signing.
    """

    __slots__ = ("_answers", "_pending")

    def __init__(self) -> None:
        # no reference to the loop: it is the key of the weak mapping that holds this
        self._answers: collections.deque[tuple[asyncio.Future[bytes], Any]] = collections.deque()
        self._pending = False

    def post(self, future: asyncio.Future[bytes], answer: bytes | BaseException) -> None:
        """Called in a signing thread."""
        self._answers.append((future, answer))
        if self._pending:
            return
        self._pending = True
        try:
            future.get_loop().call_soon_threadsafe(self._deliver)
        except RuntimeError:  # a closed loop: nobody waits any more
            self._pending = False

    def _deliver(self) -> None:
        """Called in the loop: settle every answer that is in."""
        self._pending = False  # first: an answer posted from now on schedules a delivery
        answers = self._answers
        while answers:
            future, answer = answers.popleft()
            _settle(future, answer)


class _SigningThreads:
    """Daemon threads that run RSA operations for event loops and hand back the result.

    Leaner than ``run_in_executor`` (no ``concurrent.futures.Future`` and its condition
    variable per call): a job is a queue entry, and answers go back to their loop in
    batches (:class:`_Mailbox`). A forked child starts its own threads on first use.
    """

    def __init__(self, count: int) -> None:
        self._count = count
        self._mailboxes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Mailbox] = (
            weakref.WeakKeyDictionary()
        )
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def sign(self, rsa_sign: Callable[[bytes], bytes], text: bytes) -> asyncio.Future[bytes]:
        """A future of ``rsa_sign(text)``, computed in one of the threads."""
        if not self._started:
            self._start()
        loop = asyncio.get_running_loop()
        mailbox = self._mailboxes.get(loop)
        if mailbox is None:
            mailbox = self._mailboxes[loop] = _Mailbox()
        future: asyncio.Future[bytes] = loop.create_future()
        self._jobs.put((mailbox, future, rsa_sign, text))
        return future

    def _reset(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._mailboxes.clear()
        self._lock = threading.Lock()
        self._started = False

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            for index in range(self._count):
                name = f"locus-sign-{index}"
                threading.Thread(target=self._work, name=name, daemon=True).start()
            self._started = True

    def _work(self) -> None:
        jobs = self._jobs
        while True:
            mailbox, future, rsa_sign, text = jobs.get()
            answer: bytes | BaseException
            try:
                answer = rsa_sign(text)
            except BaseException as exc:  # handed to the waiting task
                answer = exc
            mailbox.post(future, answer)
            del mailbox, future, rsa_sign, text, answer  # hold nothing while idle


def _settle(future: asyncio.Future[bytes], answer: bytes | BaseException) -> None:
    if future.done():  # the waiting task was cancelled
        return
    if isinstance(answer, BaseException):
        future.set_exception(answer)
    else:
        future.set_result(answer)


_signing_threads = _SigningThreads(SIGNING_THREADS)


def sign_request(
    request: httpx.Request, signer: RequestSigner, *, now: float | None = None
) -> None:
    """Add the OCI signature headers to an httpx request (body must be read)."""
    pending, present = _prepare(request, signer, now)
    _apply(request, signer.finish(pending, signer.rsa_sign(pending.text)), present)


def _prepare(
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
    date = formatdate(now, usegmt=True) if now is not None else None
    pending = signer.prepare(
        request.method, target, host, request.content, date=date, content_type=content_type
    )
    return pending, present


def _present(request: httpx.Request) -> dict[str, str]:
    """The request's usually-present headers (first value of each), lower-cased names."""
    found: dict[str, str] = {}
    for key, value in request.headers.raw:
        name = _PRESENT_NAMES.get(key.lower())
        if name is not None and name not in found:
            found[name] = value.decode("latin-1")
    return found


def _apply(request: httpx.Request, signed: dict[str, str], present: dict[str, str]) -> None:
    headers = request.headers
    for name, value in signed.items():
        # host, content-type and content-length are usually there already, with this value;
        # httpx's header assignment scans the whole list, so only write what is new
        if present.get(name) == value:
            continue
        headers[name] = value


class OCISigningAuth(httpx.Auth):
    """Base flow: sign, send, and on a 401 refresh credentials and re-sign once.

    ``clock`` dates the signatures (``time.time`` unless given).
    """

    requires_request_body = True

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
        if self.refresh_after_401():
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
        if self.refresh_after_401():
            await self._sign_async(request)
            yield request

    async def _sign_async(self, request: httpx.Request) -> None:
        signer, now = self.current_signer(), self.clock()
        if self._in_flight < OFFLOAD_IN_FLIGHT:
            sign_request(request, signer, now=now)
            return
        # only the RSA operation leaves the loop: it holds no GIL, so the loop runs on
        pending, present = _prepare(request, signer, now)
        raw = await _signing_threads.sign(signer.rsa_sign, pending.text)
        _apply(request, signer.finish(pending, raw), present)

    def current_signer(self) -> RequestSigner:
        """The signer for the next attempt."""
        raise NotImplementedError

    def refresh_after_401(self) -> bool:
        """Reload credentials after a 401; True when a re-signed retry is worth it."""
        return False

    def diagnosis(self) -> str | None:
        """A known local cause of a 401 (never secret), for the error's hint."""
        return describe_skew(self._skew) or self.known_cause()

    def known_cause(self) -> str | None:
        """A cause of a 401 this kind of credentials can tell locally."""
        return None


class ApiKeyAuth(OCISigningAuth):
    """Signs with ``<tenancy>/<user>/<fingerprint>`` and the profile's key (loaded once)."""

    def __init__(
        self,
        key_id: str,
        private_key: rsa.RSAPrivateKey,
        *,
        fingerprint_mismatch: str | None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self._signer = RequestSigner(key_id, private_key)
        self._mismatch = fingerprint_mismatch

    def __repr__(self) -> str:
        return "ApiKeyAuth()"

    def current_signer(self) -> RequestSigner:
        return self._signer

    def known_cause(self) -> str | None:
        return self._mismatch


class SessionTokenAuth(OCISigningAuth):
    """Signs with ``ST$<token>``; follows the token file as it is refreshed."""

    def __init__(
        self,
        token_file: Path,
        private_key: rsa.RSAPrivateKey,
        *,
        profile: str,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(clock=clock)
        self._path = token_file
        self._key = private_key
        self._profile = profile
        self._stamp: tuple[int, int] | None = None
        self._signer: RequestSigner | None = None
        self._digest: str | None = None
        self.expires_at: float | None = None

    def __repr__(self) -> str:
        return f"SessionTokenAuth(profile={self._profile!r})"

    def current_signer(self) -> RequestSigner:
        if self._signer is None or self._file_stamp() != self._stamp:
            self._reload()
        if self.expired():
            raise CredentialsError(self._expired_message())
        assert self._signer is not None
        return self._signer

    def expired(self, *, within: float = 0.0) -> bool:
        """True when the loaded token's ``exp`` is past (or ``within`` seconds of it)."""
        return self.expires_at is not None and self.expires_at <= self.clock() + within

    def refresh_after_401(self) -> bool:
        before = self._digest
        self._reload()
        return self._digest != before

    def known_cause(self) -> str | None:
        return self._expired_message() if self.expired(within=60) else None

    def _reload(self) -> None:
        self._stamp = self._file_stamp()
        try:
            token = self._path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CredentialsError(
                f"cannot read security_token_file {self._path}: {exc.strerror}"
            ) from None
        if not token:
            raise CredentialsError(f"security_token_file {self._path} is empty")
        self._digest = hashlib.sha256(token.encode()).hexdigest()
        self.expires_at = token_expiry(token)
        self._signer = RequestSigner(f"ST${token}", self._key)

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self._path)
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def _expired_message(self) -> str:
        return (
            f"the session token of profile [{self._profile}] ({self._path}) has expired: run "
            f"`oci session refresh --profile {self._profile}` (or `oci session authenticate` "
            "if it can no longer be refreshed)"
        )
