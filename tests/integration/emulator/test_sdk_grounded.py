"""The emulator's grounded answers, read by the official oci SDK: COHERE and COHEREV2 chats
sent with the SDK's own request models carrying ``documents`` come back with citations the
SDK deserializes into its ``Citation`` / ``CohereCitationV2`` models, whole and streamed."""

from __future__ import annotations

import json
from typing import Any

from locus.emulator import Emulator

from ._helpers import MODELS, details, events, on_demand, sdk_client

DOCS = [
    {"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."},
    {
        "id": "habitat",
        "title": "Penguin habitats",
        "snippet": "Emperor penguins live in Antarctica.",
    },
]
QUESTION = "Which penguins are the tallest, and where do they live?"
V1_MODEL, V2_MODEL = "cohere.command-r-plus-08-2024", "cohere.command-a-03-2025"


def _v2_user(text: str) -> Any:
    return MODELS.CohereUserMessageV2(content=[MODELS.CohereTextContentV2(text=text)])


def _check_spans(text: str, citations: list[Any]) -> list[tuple[str, list[str]]]:
    """Each citation's span is its text; (text, document ids) of each."""
    for c in citations:
        assert text[c.start : c.end] == c.text
    return [(c.text, c.document_ids) for c in citations]


def test_cohere_whole_answer_cites_documents_by_id(oci_emulator: Emulator) -> None:
    request = MODELS.CohereChatRequest(message=QUESTION, documents=DOCS, citation_quality="FAST")
    chat = sdk_client(oci_emulator).chat(details(oci_emulator, on_demand(V1_MODEL), request))
    response = chat.data.chat_response
    assert isinstance(response, MODELS.CohereChatResponse)
    assert all(isinstance(c, MODELS.Citation) for c in response.citations)
    assert _check_spans(response.text, response.citations) == [
        ("Emperor penguins are the tallest.", ["doc_0"]),
        ("Emperor penguins live in Antarctica.", ["habitat"]),
    ]
    assert [d["id"] for d in response.documents] == ["doc_0", "habitat"]
    assert response.documents[0]["snippet"] == DOCS[0]["snippet"]


def test_cohere_stream_terminal_event_carries_citations(oci_emulator: Emulator) -> None:
    request = MODELS.CohereChatRequest(
        message=QUESTION,
        documents=DOCS,
        is_stream=True,
        stream_options=MODELS.StreamOptions(is_include_usage=True),
    )
    client = sdk_client(oci_emulator)
    received = events(client.chat(details(oci_emulator, on_demand(V1_MODEL), request)))
    assert all("citations" not in e for e in received[:-1])
    final = client.base_client.deserialize_response_data(
        json.dumps(received[-1]).encode(), "CohereChatResponse"
    )
    assert "".join(e["text"] for e in received[:-1]) == final.text
    assert [ids for _, ids in _check_spans(final.text, final.citations)] == [["doc_0"], ["habitat"]]


def test_coherev2_whole_answer_cites_document_sources(oci_emulator: Emulator) -> None:
    request = MODELS.CohereChatRequestV2(
        messages=[_v2_user(QUESTION)],
        documents=DOCS,
        citation_options=MODELS.CitationOptionsV2(mode="ACCURATE"),
    )
    chat = sdk_client(oci_emulator).chat(details(oci_emulator, on_demand(V2_MODEL), request))
    message = chat.data.chat_response.message
    assert isinstance(message, MODELS.CohereAssistantMessageV2)
    text = message.content[0].text
    cited = []
    for c in message.citations:
        assert isinstance(c, MODELS.CohereCitationV2)
        assert text[c.start : c.end] == c.text and c.type == "TEXT_CONTENT"
        assert c.content_index == 0
        source = c.sources[0]
        assert isinstance(source, MODELS.CohereCitationSourceV2) and source.type == "DOCUMENT"
        assert isinstance(source.document, MODELS.CohereCitationDocument)
        cited.append((source.document.id, source.document.document["title"]))
    assert cited == [("doc_0", "Tall penguins"), ("habitat", "Penguin habitats")]


def test_coherev2_stream_finish_event_carries_citations(oci_emulator: Emulator) -> None:
    request = MODELS.CohereChatRequestV2(
        messages=[_v2_user(QUESTION)], documents=DOCS, is_stream=True
    )
    client = sdk_client(oci_emulator)
    received = events(client.chat(details(oci_emulator, on_demand(V2_MODEL), request)))
    text = "".join(p["text"] for e in received for p in e["message"].get("content", []))
    final = received[-1]
    assert final["finishReason"] == "COMPLETE"
    message = client.base_client.deserialize_response_data(
        json.dumps(final["message"]).encode(), "CohereAssistantMessageV2"
    )
    assert [text[c.start : c.end] for c in message.citations] == [c.text for c in message.citations]
    assert [c.sources[0].document.id for c in message.citations] == ["doc_0", "habitat"]


def test_coherev2_citations_off_answers_without_them(oci_emulator: Emulator) -> None:
    request = MODELS.CohereChatRequestV2(
        messages=[_v2_user(QUESTION)],
        documents=DOCS,
        citation_options=MODELS.CitationOptionsV2(mode="OFF"),
    )
    chat = sdk_client(oci_emulator).chat(details(oci_emulator, on_demand(V2_MODEL), request))
    message = chat.data.chat_response.message
    assert message.citations is None and DOCS[0]["snippet"] in message.content[0].text


def test_bad_documents_are_a_400(oci_emulator: Emulator) -> None:
    import oci

    request = MODELS.CohereChatRequest(message=QUESTION, documents=["not an object"])
    try:
        sdk_client(oci_emulator).chat(details(oci_emulator, on_demand(V1_MODEL), request))
    except oci.exceptions.ServiceError as exc:
        assert exc.status == 400 and "documents[0]" in exc.message
    else:  # pragma: no cover
        raise AssertionError("the emulator accepted a document that is not an object")
