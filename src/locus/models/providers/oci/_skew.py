"""Clock skew between this machine and the service, read from an answer's ``Date`` header.

OCI refuses signatures whose ``date`` is more than five minutes away from its own
clock, with a 401 that does not say so. Comparing the answer's ``Date`` header with
the local clock names that cause.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from locus.models.http._plain import ResponseHead

__all__ = ["MAX_SKEW_SECONDS", "describe_skew", "measure_skew"]

MAX_SKEW_SECONDS = 300.0


def measure_skew(response: ResponseHead, now: float) -> float | None:
    """Local clock minus the server's (seconds), or ``None`` without a usable ``Date``."""
    value = response.headers.get("date")
    if not value:
        return None
    try:
        server = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return now - server


def describe_skew(skew: float | None) -> str | None:
    """A plain sentence when ``skew`` is beyond what OCI accepts, else ``None``."""
    if skew is None or abs(skew) <= MAX_SKEW_SECONDS:
        return None
    minutes = abs(skew) / 60
    way = "ahead of" if skew > 0 else "behind"
    return (
        f"this machine's clock is {minutes:.0f} minutes {way} the server's, and OCI refuses "
        "signatures dated more than 5 minutes away: fix the system clock (enable NTP)"
    )
