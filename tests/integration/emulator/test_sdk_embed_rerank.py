"""The optional embedText and rerankText actions, driven by the official oci SDK."""

from __future__ import annotations

import math

import oci
import pytest

from locus.emulator import Emulator

from ._helpers import MODELS, on_demand, sdk_client, user_text


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


def test_embed_text_gives_one_unit_vector_per_input(oci_emulator: Emulator) -> None:
    details = MODELS.EmbedTextDetails(
        compartment_id=oci_emulator.compartment_id,
        serving_mode=on_demand("cohere.embed-english-v3.0"),
        inputs=["Paris is the capital of France", "the capital of France is Paris", "bananas"],
    )
    result = sdk_client(oci_emulator).embed_text(details).data
    assert isinstance(result, MODELS.EmbedTextResult)
    first, second, third = result.embeddings
    assert len(first) == 1024
    assert _cosine(first, second) > 0.99 > _cosine(first, third)
    assert result.usage.prompt_tokens == 13


def test_rerank_text_orders_documents_by_relevance(oci_emulator: Emulator) -> None:
    details = MODELS.RerankTextDetails(
        compartment_id=oci_emulator.compartment_id,
        serving_mode=on_demand("cohere.rerank-v3-5"),
        input="capital of France",
        documents=["Berlin is in Germany.", "Paris is the capital of France."],
        top_n=1,
    )
    result = sdk_client(oci_emulator).rerank_text(details).data
    assert [(r.index, r.document.text) for r in result.document_ranks] == [
        (1, "Paris is the capital of France.")
    ]
    assert result.document_ranks[0].relevance_score == 1.0


def test_chat_with_an_embedding_model_is_400(oci_emulator: Emulator) -> None:
    request = MODELS.GenericChatRequest(messages=[user_text("hi")])
    details = MODELS.ChatDetails(
        compartment_id=oci_emulator.compartment_id,
        serving_mode=on_demand("cohere.embed-english-v3.0"),
        chat_request=request,
    )
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        sdk_client(oci_emulator).chat(details)
    assert (caught.value.status, caught.value.code) == (400, "InvalidParameter")


def test_embedding_with_a_chat_model_is_400(oci_emulator: Emulator) -> None:
    details = MODELS.EmbedTextDetails(
        compartment_id=oci_emulator.compartment_id,
        serving_mode=on_demand("xai.grok-4"),
        inputs=["x"],
    )
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        sdk_client(oci_emulator).embed_text(details)
    assert (caught.value.status, caught.value.code) == (400, "InvalidParameter")


def test_rerank_on_a_dedicated_endpoint(oci_emulator: Emulator) -> None:
    endpoint = next(
        e for e in oci_emulator.catalogue.endpoints.values() if e.capability == "TEXT_RERANK"
    )
    assert endpoint.ocid not in [e["ocid"] for e in oci_emulator.info["endpoints"]]
    details = MODELS.RerankTextDetails(
        compartment_id=oci_emulator.compartment_id,
        serving_mode=MODELS.DedicatedServingMode(endpoint_id=endpoint.ocid),
        input="capital of France",
        documents=["Berlin is in Germany.", "Paris is the capital of France."],
    )
    ranks = sdk_client(oci_emulator).rerank_text(details).data.document_ranks
    assert [r.index for r in ranks] == [1, 0]
