"""Embedding and rerank models on the session emulator, closed after each test."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from locus.emulator import Emulator
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIAuthType, OCIEmbeddingModel, OCIRerankModel

EMBED = "cohere.embed-v4.0"
RERANK = "cohere.rerank-v3-5"
FAST_RETRIES = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.05)


def place(emu: Emulator) -> dict[str, Any]:
    """The keywords that point a model at ``emu`` and sign with its API key."""
    return {
        "service_endpoint": emu.service_endpoint,
        "compartment_id": emu.compartment_id,
        "config_file": emu.config_file,
        "profile_name": emu.profile,
        "auth_type": OCIAuthType.API_KEY,
    }


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real loopback transport that records each request's input count and the most
    requests in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.batch_sizes: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.batch_sizes.append(len(json.loads(request.content)["inputs"]))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            response = await super().handle_async_request(request)
            await response.aread()  # the whole answer has arrived before the slot frees
            return response
        finally:
            self.in_flight -= 1


@pytest.fixture
async def embedder(emu: Emulator) -> AsyncIterator[Callable[..., OCIEmbeddingModel]]:
    """``embedder(model_id=EMBED, **options)`` on ``emu``; closed after the test."""
    built: list[OCIEmbeddingModel] = []

    def make(model_id: str = EMBED, **options: Any) -> OCIEmbeddingModel:
        model = OCIEmbeddingModel(model_id, **{**place(emu), **options})
        built.append(model)
        return model

    yield make
    for model in built:
        await model.aclose()


@pytest.fixture
async def reranker(emu: Emulator) -> AsyncIterator[Callable[..., OCIRerankModel]]:
    """``reranker(model_id=RERANK, **options)`` on ``emu``; closed after the test."""
    built: list[OCIRerankModel] = []

    def make(model_id: str = RERANK, **options: Any) -> OCIRerankModel:
        model = OCIRerankModel(model_id, **{**place(emu), **options})
        built.append(model)
        return model

    yield make
    for model in built:
        await model.aclose()
