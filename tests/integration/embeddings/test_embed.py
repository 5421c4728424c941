"""``OCIEmbeddingModel`` against the emulator over loopback, signed: batching, order,
concurrency, retries, failures that name their inputs, DAC endpoints, options."""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable

import pytest

from locus.core.errors import BadRequestError, ConfigurationError
from locus.emulator import Emulator
from locus.emulator.engines import embed as reference_embed
from locus.models import get_embedding_model
from locus.models.providers.oci import EmbeddingBatchError, OCIEmbeddingModel

from .conftest import EMBED, FAST_RETRIES, CountingTransport, place

Factory = Callable[..., OCIEmbeddingModel]


def _texts(n: int) -> list[str]:
    return [f"note {i} about the topic {i * 7919 % 1000} in chapter {i}" for i in range(n)]


def _expected(text: str, dimensions: int = 1536, model: str = EMBED) -> array[float]:
    return array("f", reference_embed(text, dimensions, model, "SEARCH_DOCUMENT"))


def _cosine(a: array[float], b: array[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


async def test_1000_texts_in_order_as_concurrent_batches_of_at_most_96(
    emu: Emulator, embedder: Factory
) -> None:
    emu.set_latency(0.05)  # batches overlap: each answer waits, the next ones are sent
    transport = CountingTransport()
    model = embedder(transport=transport, max_concurrency=4)
    texts = _texts(1000)
    result = await model.embed(texts)
    assert len(result) == 1000 and result.dimensions == 1536
    assert all(isinstance(v, array) and v.typecode == "f" for v in result)
    assert [result[i] for i in range(1000)] == [_expected(t) for t in texts]
    assert len(transport.batch_sizes) >= 11
    assert max(transport.batch_sizes) <= 96 and sum(transport.batch_sizes) == 1000
    assert 1 < transport.most_in_flight <= 4
    assert result.usage.prompt_tokens == sum(len(t.split()) for t in texts)


async def test_a_batch_failing_once_with_429_is_retried_and_the_result_is_whole(
    emu: Emulator, embedder: Factory
) -> None:
    emu.set_faults(["ok", "ok", "429"], target=EMBED)
    model = embedder(retry_policy=FAST_RETRIES)
    texts = _texts(1000)
    result = await model.embed(texts)
    assert emu.fired_faults == {"429": 1}
    assert list(result) == [_expected(t) for t in texts]


async def test_a_batch_that_keeps_failing_names_its_inputs_and_keeps_the_others(
    emu: Emulator, embedder: Factory
) -> None:
    emu.set_faults(["ok", "503", "503"], target=EMBED)
    model = embedder(retry_policy=FAST_RETRIES, max_retries=1, max_concurrency=1)
    texts = _texts(250)
    with pytest.raises(EmbeddingBatchError) as caught:
        await model.embed(texts)
    error = caught.value
    assert error.failed_inputs == list(range(96, 192))
    assert "inputs 96-191" in str(error) and "1 of 3 embedText batches" in str(error)
    assert error.__cause__ is error.errors[0][1]
    assert [v is None for v in error.partial] == [96 <= i < 192 for i in range(250)]
    assert error.partial[200] == _expected(texts[200])


async def test_when_every_batch_fails_the_typed_error_itself_is_raised(
    embedder: Factory,
) -> None:
    model = embedder("cohere.embed-english-v3.0", output_dimensions=256)
    with pytest.raises(BadRequestError) as caught:
        await model.embed(["one", "two"])
    assert caught.value.status == 400 and caught.value.code == "InvalidParameter"
    assert "outputDimensions" in str(caught.value)


async def test_output_dimensions_input_types_and_truncate(embedder: Factory) -> None:
    model = embedder(output_dimensions=256)
    document = (await model.embed(["Paris is the capital of France"]))[0]
    query = (await model.embed(["capital of France?"], input_type="search_query"))[0]
    assert len(document) == len(query) == 256
    assert (
        document
        != (await model.embed(["Paris is the capital of France"], input_type="clustering"))[0]
    )
    assert _cosine(document, query) > 0.7
    long = " ".join(["word"] * 600)
    v3 = embedder("cohere.embed-english-v3.0", truncate="NONE")
    with pytest.raises(BadRequestError, match="over the limit of 512"):
        await v3.embed([long])
    assert len((await v3.embed([long], truncate="END"))[0]) == 1024


async def test_a_dac_embed_endpoint(emu: Emulator, embedder: Factory) -> None:
    endpoint = next(
        e for e in emu.catalogue.endpoints.values() if e.capability == "TEXT_EMBEDDINGS"
    )
    model = embedder(endpoint.ocid)
    assert model.dedicated
    result = await model.embed(["hello DAC"])
    assert result[0] == _expected("hello DAC", model=endpoint.model)


async def test_images_are_one_call_each(embedder: Factory) -> None:
    transport = CountingTransport()
    model = embedder("cohere.embed-english-image-v3.0", transport=transport)
    result = await model.embed_images([b"\x89PNG first", b"\x89PNG second"])
    assert len(result) == 2 and result.dimensions == 1024 and result[0] != result[1]
    assert transport.batch_sizes == [1, 1]


def test_embed_sync_and_get_embedding_model(emu: Emulator) -> None:
    model = get_embedding_model(f"oci:{EMBED}", **place(emu))
    assert isinstance(model, OCIEmbeddingModel)
    result = model.embed_sync(["a", "b", "c"])
    assert [len(v) for v in result] == [1536] * 3
    assert model.embed_sync([]).vectors == []


def test_bad_options_and_inputs_are_configuration_errors(emu: Emulator) -> None:
    with pytest.raises(ConfigurationError, match="batch_sise"):
        get_embedding_model(f"oci:{EMBED}", batch_sise=10, **place(emu))
    with pytest.raises(ConfigurationError, match="limit of 96"):
        OCIEmbeddingModel(EMBED, batch_size=200)
    with pytest.raises(ConfigurationError, match="input_type"):
        OCIEmbeddingModel(EMBED, input_type="documents")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="no rerank models from provider 'mock'"):
        from locus.models import get_rerank_model

        get_rerank_model("mock:anything")
    model = OCIEmbeddingModel(EMBED, **place(emu))
    with pytest.raises(ConfigurationError, match="wrap one text"):
        model.embed_sync("just one")
