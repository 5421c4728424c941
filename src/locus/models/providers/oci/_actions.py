"""``ActionClient``: one JSON action of the native API (``embedText``, ``rerankText``) over an
``OCIConnection``, with the chat models' machinery: the pooled client per event loop, the
send loop with its retries and answer limits, typed errors with the connection's hints.

Each ``post`` has its own ``RetryBudget``, so one failed batch of many is retried by itself.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from locus.core.errors import APIStatusError
from locus.models._wire.json_text import json_object
from locus.models.http._client import LoopClient
from locus.models.http._errors import ErrorDetails
from locus.models.http._requests import RequestBuilder
from locus.models.http._retry import RetryBudget, RetryPolicy
from locus.models.http._send import read_body, send
from locus.models.http._settings import ModelSettings
from locus.models.providers.oci._connection import OCIConnection, OCIConnectionOptions
from locus.models.providers.oci._ocid import parse_ocid
from locus.models.providers.oci._routing import route

__all__ = ["ACTIONS_PATH", "ActionClient", "ActionOptions"]

ACTIONS_PATH = "/20231130/actions/"


class ActionOptions(OCIConnectionOptions, total=False):
    """Where, who, and how to send: the keywords every action model takes."""

    timeout: float | httpx.Timeout | None
    max_retries: int
    retry_deadline: float
    retry_policy: RetryPolicy
    transport: httpx.AsyncBaseTransport
    max_connections: int | None
    max_keepalive_connections: int
    http_backend: str
    max_response_bytes: int


class ActionClient:
    """Posts JSON bodies to one action of the native API for one model or DAC endpoint."""

    def __init__(
        self,
        owner: str,
        model_id: str,
        action: str,
        options: Mapping[str, Any],
        valid: frozenset[str],
        subject: str | None = None,
    ) -> None:
        model_id = model_id.strip()
        self.model_id = model_id
        self.subject = subject  # what error hints name when the action is not a model's
        self.dedicated = route(model_id).dedicated
        ocid = parse_ocid(model_id) if self.dedicated else None
        self.connection = OCIConnection.from_options(options, endpoint_ocid=ocid)
        # only the transport-level options are ours: the owner checked and took the rest
        ours = {k: v for k, v in options.items() if k in valid}
        self.settings = ModelSettings.parse(owner, ours, valid, tool_call_format=None)
        self._path = ACTIONS_PATH + action
        self._clients = LoopClient(
            self.settings.timeout,
            self.settings.transport,
            self.settings.limits,
            self.settings.backend,
        )
        self._requests = RequestBuilder()
        self._ready = False
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        """The URL the action is posted to (known after the first call)."""
        return self.connection.base_url + self._path

    @property
    def retry(self) -> RetryPolicy:
        """When and how long one call is retried."""
        return self.settings.retry

    def serving_mode(self) -> dict[str, str]:
        """``servingMode``: DEDICATED with the endpoint OCID, or ON_DEMAND with the model id."""
        if self.dedicated:
            return {"servingType": "DEDICATED", "endpointId": self.model_id}
        return {"servingType": "ON_DEMAND", "modelId": self.model_id}

    async def ready(self) -> None:
        """Read the config and key once, off the event loop."""
        if not self._ready:
            await asyncio.to_thread(self._load)

    def compartment_id(self) -> str | None:
        """The compartment of the calls (after ``ready()``)."""
        return self.connection.compartment_id

    async def post(self, body: Mapping[str, Any]) -> Mapping[str, Any]:
        """The JSON object the action answers ``body`` with (retried within a new budget)."""
        await self.ready()
        data = json.dumps(body, separators=(",", ":")).encode("ascii")
        headers = self.connection.headers(stream=False)
        budget = RetryBudget(self.retry)
        client = await self._clients.get(lambda: self.connection.base_url)
        while True:
            response = await send(
                client,
                self._factory(client, data, headers),
                auth=self.connection.auth,
                budget=budget,
                to_error=self._to_error,
                endpoint=self.endpoint,
                limits=self.settings.answer_limits,
            )
            limits = self.settings.answer_limits
            content = await read_body(response, budget, self.endpoint, limits)
            if content is not None:
                return self._json(content)

    async def aclose(self) -> None:
        """Close the HTTP client (a new one is made on the next call)."""
        await self._clients.aclose()
        self.connection.close()

    def _load(self) -> None:
        with self._lock:
            if not self._ready:
                self.connection.load()
                self._ready = True

    def _factory(
        self, client: httpx.AsyncClient, data: bytes, headers: dict[str, str]
    ) -> Callable[[], httpx.Request]:
        def make() -> httpx.Request:
            merged = {**headers, **self.connection.attempt_headers()}
            return self._requests.post(client, self.endpoint, data, merged)

        return make

    def _to_error(self, details: ErrorDetails) -> APIStatusError:
        return self.connection.to_error(
            details,
            endpoint=self.endpoint,
            model_id=self.model_id,
            api_format=None,
            subject=self.subject,
        )

    def _json(self, content: bytes) -> Mapping[str, Any]:
        return json_object(content, self.endpoint)
