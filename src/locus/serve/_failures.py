"""A failed run: what its client is told, and the one line the server logs about it.

A run that fails on a run route (OpenAI or AG-UI) is logged once, at WARNING on the
``locus.serve`` logger, when it ends in 429 or 5xx: the agent, the route, the error's
type and message and, when the model answered, its ``opc-request-id`` (what Oracle
support asks for). A URL's password is masked in the line (``user:***@``); tokens and
keys never reach an error's message.

The client reads the error's own message when it is useful to it and safe to show: a
model's refusal or failure (502, 429; the model's address said as ``the model
endpoint``), a run's limit (timeout, usage, output
validation), a request the run could not serve (400, 409). A fault of the server's own
(a thread store's failure, an unexpected exception: the 500 ``server_error`` kind) is
answered with its type only and a pointer to the server's log, which has the rest: such
a message can name a database, its address or a file path.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from locus.serve._convert import error_status

__all__ = ["client_message", "log_failure", "request_id"]

log = logging.getLogger("locus.serve")

_PASSWORD = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^\s/:@]*:)[^\s/@]+@")


def mask(text: str) -> str:
    """``text`` with every URL password masked: ``postgresql://user:***@host``."""
    return _PASSWORD.sub(r"\g<head>***@", text)


def is_own_fault(exc: BaseException) -> bool:
    """A failure of the server itself (a store, a bug), not of the model or the request."""
    return error_status(exc)[1] == "server_error"


def client_message(exc: BaseException) -> str:
    """What a client is told about a run that failed with ``exc``: a fault of the server's
    own by its type only; a model's failure as it is, with the model's address (a private
    endpoint's, an emulator's, in its text and hint) said as ``the model endpoint``."""
    if is_own_fault(exc):
        return f"internal error ({type(exc).__name__}): the server's log has the details"
    text = str(exc)
    endpoint = getattr(exc, "endpoint", None)
    if isinstance(endpoint, str) and endpoint:
        text = _without_address(text, endpoint)
    return text


def _without_address(text: str, endpoint: str) -> str:
    """``text`` with the URL ``endpoint``, and its host (with or without its port), said as
    ``the model endpoint``."""
    text = text.replace(f"endpoint {endpoint}", "the model endpoint")
    text = text.replace(endpoint, "the model endpoint")
    parts = urlsplit(endpoint)
    host = parts.hostname
    if host:
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
        for where in (f"{host}:{port}" if port else None, parts.netloc, host):
            if where:
                text = text.replace(where, "the model endpoint")
    return text


def request_id(exc: BaseException) -> str | None:
    """The model's ``opc-request-id`` of ``exc`` (or of the error that caused it, or of
    the last a ``FallbackError`` gathered), if a model answered."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        found = getattr(current, "request_id", None)
        if isinstance(found, str) and found:
            return found
        todo.extend(reversed(list(getattr(current, "errors", ()) or ())))
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)
    return None


def log_failure(agent: str, route: str, exc: BaseException) -> None:
    """Log the failed run of ``agent`` on ``route`` (``"POST /v1/..."``), once, when it
    ends in 429 or 5xx (a client's mistake, 400 or 409, is the client's to read)."""
    status, _ = error_status(exc)
    if status < 500 and status != 429:
        return
    found = request_id(exc)
    log.warning(
        "run of agent %r failed on %s with %d: %s: %s%s",
        agent,
        route,
        status,
        type(exc).__name__,
        mask(str(exc)),
        f" (opc-request-id {found})" if found else "",
    )
