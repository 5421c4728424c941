"""``OCIRerankModel`` against the emulator: order, scores, ``top_n``, DAC endpoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from locus.core.errors import ConfigurationError, NotFoundError
from locus.emulator import Emulator
from locus.models import get_rerank_model
from locus.models.providers.oci import OCIRerankModel, RankedDocument

from .conftest import place

Factory = Callable[..., OCIRerankModel]
DOCUMENTS = [
    "Berlin is the capital of Germany.",
    "Paris is the capital of France.",
    "France exports wine.",
]


async def test_documents_come_back_ranked_with_their_index_and_text(reranker: Factory) -> None:
    ranked = await reranker().rerank("capital of France", DOCUMENTS)
    assert [r.index for r in ranked] == [1, 0, 2]
    assert ranked[0] == RankedDocument(1, 1.0, DOCUMENTS[1])
    assert ranked[0].score > ranked[1].score >= ranked[2].score
    top = await reranker().rerank("capital of France", DOCUMENTS, top_n=1)
    assert [r.index for r in top] == [1]


async def test_a_dac_rerank_endpoint(emu: Emulator, reranker: Factory) -> None:
    endpoint = next(e for e in emu.catalogue.endpoints.values() if e.capability == "TEXT_RERANK")
    ranked = await reranker(endpoint.ocid).rerank("wine from France", DOCUMENTS)
    assert ranked[0].index == 2


async def test_an_unknown_model_is_a_not_found_error(reranker: Factory) -> None:
    with pytest.raises(NotFoundError):
        await reranker("cohere.rerank-nonexistent").rerank("q", ["d"])


def test_rerank_sync_and_misuse(emu: Emulator) -> None:
    model = get_rerank_model("oci:cohere.rerank-v3-5", **place(emu))
    assert isinstance(model, OCIRerankModel)
    assert model.rerank_sync("capital of Germany", DOCUMENTS, top_n=1)[0].index == 0
    assert model.rerank_sync("anything", []) == []
    with pytest.raises(ConfigurationError, match="non-empty query"):
        model.rerank_sync("", DOCUMENTS)
    with pytest.raises(ConfigurationError, match="top_n"):
        model.rerank_sync("q", DOCUMENTS, top_n=0)
