"""A call's headers, held as one dict shared by a model's calls and what differs per call.

A connection gives the headers of every attempt of a call as a new dict each time
(``Connection.headers``), and most of it is the same on every call: content type,
accepted encodings, client info. A call waiting on its model held all of it. Here a
model keeps the first call's dict (never changed after) and each later call keeps only
the names and values that differ from it (an OCI call: its retry token); ``merged``
makes an attempt's dict from them, equal to the connection's dict with the attempt's
headers over it, in the same order. A call whose header names differ from the kept
dict's (another hook's headers, another order) makes its dict the kept one.
"""

from __future__ import annotations

__all__ = ["SharedHeaders", "merged"]


class SharedHeaders:
    """One model's kept headers."""

    __slots__ = ("_fixed",)

    def __init__(self) -> None:
        self._fixed: dict[str, str] | None = None

    def split(self, headers: dict[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
        """``headers`` as the kept dict and the (name, value, ...) pairs that differ."""
        fixed = self._fixed
        if fixed is not None and len(fixed) == len(headers):
            varying: tuple[str, ...] = ()
            for (name, value), (known, kept) in zip(headers.items(), fixed.items(), strict=True):
                if name != known:
                    break
                if value is not kept and value != kept:
                    varying += (name, value)
            else:
                return fixed, varying
        self._fixed = headers
        return headers, ()


def merged(
    fixed: dict[str, str], varying: tuple[str, ...], attempt: dict[str, str]
) -> dict[str, str]:
    """The call's headers (``fixed`` with ``varying``'s values), then ``attempt``'s."""
    headers = fixed.copy()
    for at in range(0, len(varying), 2):
        headers[varying[at]] = varying[at + 1]
    headers.update(attempt)
    return headers
