"""Grounded answers end to end over HTTP: ``OCIModel`` on the emulator's Cohere models
(on-demand and a DAC endpoint), ``complete``, ``stream`` and an agent run with
``documents=``; citations point into the answer's text. GENERIC and OpenAI-compatible
models refuse documents before sending anything."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from locus.agent import Agent
from locus.core import Citation
from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.core.response import ModelResponse
from locus.emulator import Emulator
from locus.models.openai_compatible import OpenAICompatibleModel
from locus.models.providers.oci import OCIModel
from tests.integration.conftest import OCIModelFactory

DOCS = [
    {"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."},
    {"id": "habitat", "title": "Penguin habitats", "snippet": "Pingüinos viven en la Antártida 🐧"},
]
QUESTION = "Which penguins are the tallest?"
FORMATS = ["cohere", "cohere_v2"]


def _model(emu: Emulator, oci_model: OCIModelFactory, api_format: str, dac: bool) -> OCIModel:
    if dac:
        return oci_model(emu.endpoint(style="cohere")["ocid"], api_format=api_format)
    model_id = (
        "cohere.command-r-plus-08-2024" if api_format == "cohere" else "cohere.command-a-03-2025"
    )
    return oci_model(model_id, api_format=api_format)


def _cited(text: str, citations: tuple[Citation, ...]) -> list[tuple[str, tuple[str, ...]]]:
    for c in citations:
        assert text[c.start : c.end] == c.text
    return [(c.text, c.document_ids) for c in citations]


async def _streamed(model: OCIModel, messages: list[Message], **kw: Any) -> ModelResponse:
    deltas, final = [], None
    async for event in model.stream(messages, **kw):
        deltas.append(event.content or "")
        final = event.response if event.done else final
    assert final is not None and "".join(deltas) == final.text
    return final


@pytest.mark.parametrize("api_format", FORMATS)
@pytest.mark.parametrize("dac", [False, True])
@pytest.mark.parametrize("streamed", [False, True])
async def test_model_answers_with_citations(
    emu: Emulator, oci_model: OCIModelFactory, api_format: str, dac: bool, streamed: bool
) -> None:
    model = _model(emu, oci_model, api_format, dac)
    ask = [Message.user(QUESTION)]
    call = functools.partial(_streamed, model) if streamed else model.complete
    reply = await call(ask, documents=DOCS, citation_quality="accurate")
    assert _cited(reply.text, reply.citations) == [(DOCS[0]["snippet"], ("doc_0",))]
    both = await call([Message.user("¿Dónde viven los pingüinos?")], documents=DOCS)
    assert [ids for _, ids in _cited(both.text, both.citations)] == [("habitat",)]
    plain = await call(ask)
    assert plain.citations == ()


@pytest.mark.parametrize("api_format", FORMATS)
async def test_agent_run_citations_point_into_its_answer(
    emu: Emulator, oci_model: OCIModelFactory, api_format: str
) -> None:
    agent = Agent(_model(emu, oci_model, api_format, dac=True))
    result = await agent.arun(QUESTION, documents=DOCS)
    assert result.citations and result.citations == result.response.citations  # type: ignore[union-attr]
    assert _cited(result.message, result.citations) == [(DOCS[0]["snippet"], ("doc_0",))]
    assert [r.operation for r in emu.requests] == ["chat"]  # (one call, over HTTP)


async def test_cohere_v2_citations_off(emu: Emulator, oci_model: OCIModelFactory) -> None:
    model = _model(emu, oci_model, "cohere_v2", dac=False)
    reply = await model.complete([Message.user(QUESTION)], documents=DOCS, citation_quality="off")
    assert reply.citations == () and DOCS[0]["snippet"] in reply.text


async def test_generic_refuses_documents(emu: Emulator, oci_model: OCIModelFactory) -> None:
    model = oci_model("meta.llama-3.3-70b-instruct")
    with pytest.raises(ConfigurationError, match="'generic' cannot send documents"):
        await model.complete([Message.user(QUESTION)], documents=DOCS)
    with pytest.raises(ConfigurationError, match="cannot turn citations off"):
        await _model(emu, oci_model, "cohere", dac=False).complete(
            [Message.user(QUESTION)], documents=DOCS, citation_quality="off"
        )


async def test_openai_compatible_models_refuse_documents() -> None:
    model = OpenAICompatibleModel("m", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(ConfigurationError, match=r"OpenAICompatibleModel\('m'\) cannot send"):
        await model.complete([Message.user(QUESTION)], documents=DOCS)
    await model.aclose()


async def test_a_misspelt_keyword_names_documents(oci_model: OCIModelFactory) -> None:
    model = oci_model("cohere.command-r-plus-08-2024")
    with pytest.raises(ConfigurationError, match=r"'document' .*did you mean 'documents'"):
        await model.complete([Message.user(QUESTION)], document=DOCS)
