"""The official ``oci`` SDK embeds and reranks against the emulator (the oracle for the wire),
and meets the service's limits and error shapes there."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import oci
import pytest

from locus.emulator import Emulator

MODELS = oci.generative_ai_inference.models


@pytest.fixture
def sdk(emu: Emulator) -> Iterator[Any]:
    config = oci.config.from_file(emu.config_file, emu.profile)
    client = oci.generative_ai_inference.GenerativeAiInferenceClient(
        config, service_endpoint=emu.service_endpoint, retry_strategy=oci.retry.NoneRetryStrategy()
    )
    yield client
    client.base_client.session.close()


def _details(emu: Emulator, inputs: list[str], **fields: Any) -> Any:
    fields.setdefault("serving_mode", MODELS.OnDemandServingMode(model_id="cohere.embed-v4.0"))
    return MODELS.EmbedTextDetails(compartment_id=emu.compartment_id, inputs=inputs, **fields)


def test_the_sdk_embeds_with_embed_v4_and_its_dimensions(emu: Emulator, sdk: Any) -> None:
    result = sdk.embed_text(_details(emu, ["red apples", "green apples", "tax law"])).data
    assert isinstance(result, MODELS.EmbedTextResult)
    assert [len(v) for v in result.embeddings] == [1536] * 3
    assert all(
        math.isclose(math.fsum(x * x for x in v), 1.0, rel_tol=1e-4) for v in result.embeddings
    )
    small = sdk.embed_text(_details(emu, ["red apples"], output_dimensions=512)).data
    assert len(small.embeddings[0]) == 512


def test_the_same_text_and_input_type_give_the_same_vector(emu: Emulator, sdk: Any) -> None:
    first = sdk.embed_text(_details(emu, ["same"], input_type="SEARCH_QUERY")).data.embeddings
    again = sdk.embed_text(_details(emu, ["same"], input_type="SEARCH_QUERY")).data.embeddings
    other = sdk.embed_text(_details(emu, ["same"], input_type="SEARCH_DOCUMENT")).data.embeddings
    assert first == again != other


@pytest.mark.parametrize(
    ("inputs", "fields", "message"),
    [
        (["x"] * 97, {}, "at most 96"),
        (
            ["word " * 600],
            {
                "truncate": "NONE",
                "serving_mode": MODELS.OnDemandServingMode(model_id="cohere.embed-english-v3.0"),
            },
            "limit of 512",
        ),
        (["x"], {"output_dimensions": 300}, "outputDimensions must be one of"),
    ],
    ids=["97-inputs", "too-long-without-truncate", "bad-dimensions"],
)
def test_the_service_limits_answer_400_invalid_parameter(
    emu: Emulator, sdk: Any, inputs: list[str], fields: dict[str, Any], message: str
) -> None:
    details = _details(emu, inputs, **fields)
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        sdk.embed_text(details)
    assert (caught.value.status, caught.value.code) == (400, "InvalidParameter")
    assert message in caught.value.message


def test_the_sdk_reranks_from_the_same_features(emu: Emulator, sdk: Any) -> None:
    details = MODELS.RerankTextDetails(
        compartment_id=emu.compartment_id,
        serving_mode=MODELS.OnDemandServingMode(model_id="cohere.rerank-v3-5"),
        input="Which planet has rings?",
        documents=["Mars is red.", "Saturn is a planet with rings.", "Rings of gold."],
        top_n=2,
    )
    ranks = sdk.rerank_text(details).data.document_ranks
    assert [(r.index, r.relevance_score) for r in ranks] == [(1, 1.0), (2, 0.5)]
