"""Signing threads: RSA operations off the event loop, answers handed back in batches.

An RSA-2048 signature costs about 0.3 ms of CPU, and OpenSSL releases the GIL while it
works, so a busy flow (see ``_signing_auth``) signs here while its loop serves the other
requests.
"""

from __future__ import annotations

import asyncio
import collections
import os
import queue
import threading
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["SIGNING_THREADS", "SigningThreads", "signing_threads"]

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


class SigningThreads:
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


signing_threads = SigningThreads(SIGNING_THREADS)
"""The process's signing threads (started on first use)."""
