"""An OpenAI-compatible server reached with an optional API key (``Authorization: Bearer``)."""

from __future__ import annotations

from collections.abc import Generator

import httpx

from locus.core.errors import APIStatusError, ConfigurationError
from locus.models.http._errors import ErrorDetails, status_error

__all__ = ["BearerAuth", "BearerConnection"]


class BearerAuth(httpx.Auth):
    """Adds the bearer key to every attempt; its repr hides the key."""

    def __init__(self, key: str) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "BearerAuth(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["authorization"] = f"Bearer {self._key}"
        yield request


class BearerConnection:
    """``base_url`` (``http://host/v1``), with ``api_key`` sent as a bearer token if given."""

    compartment_id = None

    def __init__(self, base_url: str, api_key: str | None = None) -> None:
        self.base_url = _clean_base_url(base_url)
        self.auth = BearerAuth(api_key) if api_key else None

    def __repr__(self) -> str:
        return f"BearerConnection(base_url={self.base_url!r})"

    def load(self) -> None:
        """Nothing to read."""

    def headers(self, *, stream: bool) -> dict[str, str]:
        """JSON in and out."""
        return {"content-type": "application/json", "accept": "application/json"}

    def attempt_headers(self) -> dict[str, str]:
        """None."""
        return {}

    def to_error(
        self, details: ErrorDetails, *, endpoint: str, model_id: str, api_format: str | None
    ) -> APIStatusError:
        """The error, with a hint for a refused key (401) or a wrong URL or model (404)."""
        hints = {
            401: "the server refused the credentials: check api_key",
            404: f"check base_url (usually ends in /v1) and the model name {model_id!r}",
        }
        return status_error(details, endpoint=endpoint, hint=hints.get(details.status))

    def close(self) -> None:
        """Nothing to release."""


def _clean_base_url(url: str) -> str:
    text = url.strip().rstrip("/")
    if not text.startswith(("http://", "https://")):
        raise ConfigurationError(f"base_url {url!r} is not an http(s) URL")
    return text.removesuffix("/chat/completions")
