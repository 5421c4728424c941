"""The contract between ``HTTPChatModel`` and a connection (one per API and place).

A connection knows where an API is (its base URL, the OCI compartment), who calls it
(the ``httpx.Auth`` flow, loaded once before the first request), the headers of each
call and attempt, and what an error answer means there (the error's hint). It never
sees messages: bodies are the codec's.
"""

from __future__ import annotations

from typing import Protocol

import httpx

from locus.core.errors import APIStatusError
from locus.models.http._errors import ErrorDetails

__all__ = ["Connection"]


class Connection(Protocol):
    """Where requests go, who signs them, and what their errors mean."""

    @property
    def base_url(self) -> str:
        """``scheme://host[/prefix]``; the codec's path follows (known after ``load()``)."""
        ...

    @property
    def auth(self) -> httpx.Auth | None:
        """The auth flow of every attempt (after ``load()``)."""
        ...

    @property
    def compartment_id(self) -> str | None:
        """The OCI compartment of the calls, where the API wants it in the body."""
        ...

    def load(self) -> None:
        """Read what the first request needs (config, keys); runs once, off the loop."""
        ...

    def headers(self, *, stream: bool) -> dict[str, str]:
        """Headers of every attempt of one call (e.g. a stable retry token)."""
        ...

    def attempt_headers(self) -> dict[str, str]:
        """Headers renewed on each attempt (e.g. a fresh request id)."""
        ...

    def to_error(
        self, details: ErrorDetails, *, endpoint: str, model_id: str, api_format: str | None
    ) -> APIStatusError:
        """The typed error for an error answer, with a hint where the cause is known."""
        ...

    def close(self) -> None:
        """Release what the credentials hold open (e.g. the ``oci`` SDK's sessions)."""
        ...
