"""``OCIChatCompletionsConnection``: a model's OCI place on the OpenAI-compatible API.

The same host as the native API, under ``/openai/v1``; OCI-signed (with
``opc-compartment-id`` and the legacy ``CompartmentId`` header) or, with ``api_key=`` /
``OCI_GENAI_API_KEY``, a Generative AI API key sent as a bearer token (then the
compartment is optional and the profile is read only to find the region).
``Accept-Encoding`` is forced to ``gzip, deflate`` (the service answers zstd when
offered it; wire-spec §1.2).
"""

from __future__ import annotations

import os
from typing import ClassVar, Unpack

import httpx

from locus.models.http._bearer import BearerAuth
from locus.models.http._user_agent import CLIENT_INFO
from locus.models.providers.oci._connection import OCIConnection, OCIConnectionOptions
from locus.models.providers.oci.auth import GENAI_API_KEY_ENV

__all__ = ["OCIChatCompletionsConnection"]


class OCIChatCompletionsConnection(OCIConnection):
    """``OCIConnection`` for ``/openai/v1``, signed or with a bearer API key."""

    option_names: ClassVar[frozenset[str]] = OCIConnection.option_names | {"api_key"}

    def __init__(
        self, *, api_key: str | None = None, **place: Unpack[OCIConnectionOptions]
    ) -> None:
        super().__init__(**place)
        key = api_key or os.environ.get(GENAI_API_KEY_ENV)
        self._bearer = BearerAuth(key) if key else None

    @property
    def uses_api_key(self) -> bool:
        """True when a Generative AI API key (not a signature) authenticates the calls."""
        return self._bearer is not None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible API's root on the service endpoint."""
        return f"{self.service_endpoint}/openai/v1"

    @property
    def auth(self) -> httpx.Auth:
        """The bearer key, else the signing flow (after ``load()``)."""
        return self._bearer or super().auth

    @property
    def compartment_id(self) -> str | None:
        """As ``OCIConnection``'s, but optional with an API key (``None`` when unknown)."""
        if self._bearer is not None:
            return self._known_compartment()
        return super().compartment_id

    def load(self, *, need_auth: bool = True) -> None:
        """As ``OCIConnection.load``; with an API key, no credentials are read."""
        super().load(need_auth=need_auth and self._bearer is None)

    def headers(self, *, stream: bool) -> dict[str, str]:
        """JSON, or SSE for a stream, and the compartment when known (required when signed)."""
        headers = {
            "content-type": "application/json",
            "accept": "text/event-stream" if stream else "application/json",
            "accept-encoding": "gzip, deflate",
            "opc-client-info": CLIENT_INFO,
        }
        compartment = self.compartment_id
        if compartment:
            headers["opc-compartment-id"] = compartment
            headers["CompartmentId"] = compartment
        return headers
