"""Store URLs without their secrets: for reprs, error texts and logs.

A password can sit in three places of a libpq connection string: the URL's userinfo
(``postgresql://user:secret@host/db``), the URL's query (``?password=secret``) and a
``key=value`` string (``password=secret``). ``mask`` hides all three; ``scrub`` removes the
password from a text that may quote it (a driver's message), as a second line of defence.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["mask", "passwords", "scrub"]

_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)", re.IGNORECASE)
_KV_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_MASK = "***"


def mask(dsn: str) -> str:
    """``dsn`` with every password replaced by ``***`` (user, host and database kept)."""
    scheme, sep, rest = dsn.partition("://")
    if not sep:
        return _KV_PASSWORD.sub(lambda m: m.group(1) + _MASK, dsn)
    userinfo, at, after = rest.rpartition("@")
    if at and ":" in userinfo:
        rest = f"{userinfo.split(':', 1)[0]}:{_MASK}@{after}"
    rest = _QUERY_PASSWORD.sub(lambda m: m.group(1) + _MASK, rest)
    return f"{scheme}{sep}{rest}"


def passwords(dsn: str) -> list[str]:
    """The passwords written in ``dsn`` (as written and percent-decoded), longest first."""
    found: list[str] = []
    _, sep, rest = dsn.partition("://")
    if sep:
        userinfo, at, _ = rest.rpartition("@")
        if at and ":" in userinfo:
            found.append(userinfo.split(":", 1)[1])
        found += [m.group(2) for m in _QUERY_PASSWORD.finditer(rest)]
    else:
        found += [m.group(2).strip("'") for m in _KV_PASSWORD.finditer(dsn)]
    found += [unquote(p) for p in found]
    return sorted({p for p in found if p}, key=len, reverse=True)


def scrub(text: str, dsn: str) -> str:
    """``text`` with any password of ``dsn`` in it replaced by ``***``."""
    for secret in passwords(dsn):
        text = text.replace(secret, _MASK)
    return text
