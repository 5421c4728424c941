"""Grounded answers in the OCI codec: ``documents`` per format, citations decoded from whole
and streamed answers (streams re-split at every byte), and GENERIC's refusal."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from locus.core._grounding import Grounding, grounding_from
from locus.core.citations import Citation
from locus.core.errors import ConfigurationError
from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse
from locus.models._wire.sse import SSEDecoder, json_payload
from locus.models.providers.oci._formats import (
    ApiFormat,
    ChatStreamDecoder,
    decode_chat_result,
    encode_chat_details,
    serving_mode,
)
from tests.unit.models.helpers import chat_result

DOCS = [
    {"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."},
    {"id": "habitat", "title": "Penguin habitats", "snippet": "Pingüinos: só na Antártida 🐧."},
]
ANSWER = "Sure. Emperor penguins are the tallest. Pingüinos: só na Antártida 🐧."
FIRST = Citation(6, 39, "Emperor penguins are the tallest.", ("doc_0",))
SECOND = Citation(40, 70, "Pingüinos: só na Antártida 🐧.", ("habitat",))


def encode(
    api_format: ApiFormat,
    grounding: Grounding | None,
    params: GenerationParams | None = None,
    *,
    messages: list[Message] | None = None,
    stream: bool = False,
) -> dict[str, Any]:
    body = encode_chat_details(
        compartment_id="ocid1.compartment.oc1..c",
        serving_mode=serving_mode("m", dedicated=False),
        api_format=api_format,
        messages=messages or [Message.user("Which penguins are the tallest?")],
        tools=[],
        params=params or GenerationParams(),
        stream=stream,
        grounding=grounding,
    )
    return body


def test_answer_spans_are_what_the_tests_say() -> None:
    assert ANSWER[FIRST.start : FIRST.end] == FIRST.text
    assert ANSWER[SECOND.start : SECOND.end] == SECOND.text


# -- requests --------------------------------------------------------------------------


def test_cohere_documents_and_citation_quality() -> None:
    request = encode(ApiFormat.COHERE, grounding_from(DOCS, "accurate"))["chatRequest"]
    assert request["documents"] == DOCS
    assert request["citationQuality"] == "ACCURATE"
    assert "citationOptions" not in request


def test_cohere_v2_documents_and_citation_options() -> None:
    request = encode(ApiFormat.COHEREV2, grounding_from(DOCS, "off"))["chatRequest"]
    assert request["documents"] == DOCS
    assert request["citationOptions"] == {"mode": "OFF"}
    assert "citationQuality" not in request


def test_without_a_quality_the_service_decides() -> None:
    for api_format in (ApiFormat.COHERE, ApiFormat.COHEREV2):
        request = encode(api_format, grounding_from(DOCS, None))["chatRequest"]
        assert "citationQuality" not in request and "citationOptions" not in request


def test_no_documents_changes_nothing() -> None:
    for api_format in ApiFormat:
        assert encode(api_format, None) == encode(api_format, grounding_from([], "fast"))
        assert "documents" not in encode(api_format, None)["chatRequest"]


def test_extra_still_comes_last() -> None:
    params = GenerationParams(extra={"citationQuality": "FAST", "documents": []})
    request = encode(ApiFormat.COHERE, grounding_from(DOCS, "accurate"), params)["chatRequest"]
    assert request["citationQuality"] == "FAST" and request["documents"] == []


def test_generic_refuses_documents_saying_what_to_do() -> None:
    with pytest.raises(ConfigurationError, match="api_format 'generic' cannot send documents"):
        encode(ApiFormat.GENERIC, grounding_from(DOCS, None))
    with pytest.raises(ConfigurationError, match=r"in the prompt.*locus\.retrieval"):
        encode(ApiFormat.GENERIC, grounding_from(DOCS, None))


def test_cohere_cannot_turn_citations_off() -> None:
    with pytest.raises(ConfigurationError, match="api_format='cohere_v2'"):
        encode(ApiFormat.COHERE, grounding_from(DOCS, "off"))


def test_typed_documents_give_the_sdk_fixture(data_dir: Path) -> None:
    """``req_cohere_chat_stream_docs.json`` (built with the oci SDK's models), said with
    ``documents=`` and ``citation_quality=`` instead of raw ``extra`` fields."""
    fixture = data_dir / "oci" / "fixtures" / "req_cohere_chat_stream_docs.json"
    want = json.loads(fixture.read_text())["chatRequest"]
    params = GenerationParams(
        max_tokens=200,
        response_format={"schema": {"type": "object"}},
        extra={"promptTruncation": "AUTO_PRESERVE_ORDER"},
    )
    body = encode(
        ApiFormat.COHERE,
        grounding_from(want["documents"], "fast"),
        params,
        messages=[Message.system("Be brief."), Message.user("Tell me a joke")],
        stream=True,
    )
    del want["chatHistory"]  # (our leading system message is the preamble)
    want["preambleOverride"] = "Be brief."
    assert body["chatRequest"] == want


@pytest.mark.parametrize(
    ("documents", "match"),
    [
        ("Emperor penguins", "must be a list of dicts"),
        ({"title": "t"}, "must be a list of dicts"),
        (["Emperor penguins"], r"documents\[0\] must be a dict"),
        ([{1: "x"}], r"documents\[0\] must be a dict with string keys"),
    ],
)
def test_bad_documents_are_refused(documents: Any, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        grounding_from(documents, None)


def test_bad_citation_quality_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="'accurate', 'fast' or 'off'"):
        grounding_from(DOCS, "ACCURATE")


# -- whole answers ------------------------------------------------------------------------


V1_CITATIONS = [
    {"start": 6, "end": 39, "text": FIRST.text, "documentIds": ["doc_0"]},
    {"start": 40, "end": 70, "text": SECOND.text, "documentIds": ["habitat"]},
]


def v2_citation(start: int, end: int, text: str, doc_id: str, **more: Any) -> dict[str, Any]:
    source = {"type": "DOCUMENT", "document": {"id": doc_id, "document": {"id": doc_id}}}
    return {"start": start, "end": end, "text": text, "sources": [source], **more}


def decode(chat: dict[str, Any]) -> ModelResponse:
    return decode_chat_result(chat_result(chat))


def test_cohere_citations() -> None:
    response = decode(
        {
            "apiFormat": "COHERE",
            "text": ANSWER,
            "finishReason": "COMPLETE",
            "citations": V1_CITATIONS,
            "documents": [{"id": "doc_0", **DOCS[0]}, DOCS[1]],
        }
    )
    assert response.citations == (FIRST, SECOND)


def test_cohere_v2_citations_of_the_text_only() -> None:
    message = {
        "role": "ASSISTANT",
        "content": [{"type": "TEXT", "text": ANSWER}],
        "citations": [
            v2_citation(6, 39, FIRST.text, "doc_0", contentIndex=0, type="TEXT_CONTENT"),
            v2_citation(0, 4, "Plan", "doc_0", type="PLAN"),
            v2_citation(40, 70, SECOND.text, "habitat"),
            {"start": 0, "end": 5, "text": "Sure.", "sources": [{"type": "TOOL", "tool": {}}]},
        ],
    }
    response = decode({"apiFormat": "COHEREV2", "id": "x", "message": message})
    assert response.citations == (FIRST, SECOND, Citation(0, 5, "Sure."))


def test_cohere_v2_offsets_of_a_later_text_part() -> None:
    message = {
        "role": "ASSISTANT",
        "content": [
            {"type": "THINKING", "thinking": "hmm"},
            {"type": "TEXT", "text": "Sure. "},
            {"type": "TEXT", "text": ANSWER[6:]},
        ],
        "citations": [v2_citation(0, 33, FIRST.text, "doc_0", contentIndex=2)],
    }
    response = decode({"apiFormat": "COHEREV2", "id": "x", "message": message})
    assert response.text == ANSWER
    assert response.citations == (FIRST,)


def test_generic_url_citations() -> None:
    url = {"startIndex": 6, "endIndex": 39, "title": "Penguins", "url": "https://example.org/p"}
    message = {
        "role": "ASSISTANT",
        "content": [{"type": "TEXT", "text": ANSWER}],
        "annotations": [{"type": "URL_CITATION", "urlCitation": url}, {"type": "OTHER"}],
    }
    response = decode(
        {
            "apiFormat": "GENERIC",
            "timeCreated": "2025-06-01T12:00:00Z",
            "choices": [{"index": 0, "message": message, "finishReason": "stop"}],
        }
    )
    assert response.citations == (
        Citation(6, 39, FIRST.text, url="https://example.org/p", title="Penguins"),
    )


def test_an_answer_without_citations_has_none() -> None:
    response = decode({"apiFormat": "COHERE", "text": "Hi.", "finishReason": "COMPLETE"})
    assert response.citations == ()


# -- streams ------------------------------------------------------------------------------


def sse(*events: dict[str, Any]) -> bytes:
    return b"".join(
        b"data: " + json.dumps(e, ensure_ascii=False).encode() + b"\n\n" for e in events
    )


def deltas(api_format: str, text: str) -> list[dict[str, Any]]:
    words = [text[i : i + 7] for i in range(0, len(text), 7)]
    if api_format == "COHERE":
        return [{"apiFormat": "COHERE", "text": w} for w in words]
    if api_format == "COHEREV2":
        part = "TEXT"
        return [
            {
                "apiFormat": "COHEREV2",
                "message": {"role": "ASSISTANT", "content": [{"type": part, "text": w}]},
            }
            for w in words
        ]
    return [
        {"index": 0, "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": w}]}}
        for w in words
    ]


URL = {"startIndex": 6, "endIndex": 39, "url": "https://example.org/p"}
STREAMS = {
    "COHERE": sse(
        *deltas("COHERE", ANSWER),
        {
            "apiFormat": "COHERE",
            "text": ANSWER,
            "finishReason": "COMPLETE",
            "citations": V1_CITATIONS,
            "usage": {"totalTokens": 3},
        },
    ),
    "COHEREV2": sse(
        *deltas("COHEREV2", ANSWER),
        {
            "apiFormat": "COHEREV2",
            "finishReason": "COMPLETE",
            "message": {
                "role": "ASSISTANT",
                "citations": [
                    v2_citation(6, 39, FIRST.text, "doc_0"),
                    v2_citation(40, 70, SECOND.text, "habitat"),
                ],
            },
        },
    ),
    "GENERIC": sse(
        *deltas("GENERIC", ANSWER),
        {
            "index": 0,
            "finishReason": "stop",
            "message": {
                "role": "ASSISTANT",
                "annotations": [{"type": "URL_CITATION", "urlCitation": URL}],
            },
        },
    ),
}
WANT = {
    "COHERE": (FIRST, SECOND),
    "COHEREV2": (FIRST, SECOND),
    "GENERIC": (Citation(6, 39, FIRST.text, url="https://example.org/p"),),
}


def decode_stream(raw: bytes, api_format: str, cuts: list[int]) -> ModelResponse:
    sse_decoder, decoder = SSEDecoder(), ChatStreamDecoder(api_format)
    events = []
    for start, end in itertools.pairwise([0, *cuts, len(raw)]):
        events += sse_decoder.feed(raw[start:end])
    text = ""
    for event in [*events, *sse_decoder.close()]:
        payload = json_payload(event)
        if payload is not None:
            text += "".join(e.content or "" for e in decoder.feed(payload))
    final = decoder.close()
    assert final.response is not None and final.response.text == text == ANSWER
    return final.response


@pytest.mark.parametrize("api_format", sorted(STREAMS))
def test_streamed_citations(api_format: str) -> None:
    assert decode_stream(STREAMS[api_format], api_format, []).citations == WANT[api_format]


@pytest.mark.parametrize("api_format", sorted(STREAMS))
def test_streamed_citations_resplit_at_every_offset(api_format: str) -> None:
    raw = STREAMS[api_format]
    for cut in range(1, len(raw)):  # (through the multi-byte characters too)
        assert decode_stream(raw, api_format, [cut]).citations == WANT[api_format], cut
    assert decode_stream(raw, api_format, list(range(1, len(raw)))).citations == WANT[api_format]
    crlf = raw.replace(b"\n", b"\r\n")
    for cut in range(1, len(crlf), 7):
        assert decode_stream(crlf, api_format, [cut]).citations == WANT[api_format], cut


def test_a_stream_without_citations_has_none() -> None:
    raw = sse(
        *deltas("COHERE", "Hi."), {"apiFormat": "COHERE", "text": "Hi.", "finishReason": "COMPLETE"}
    )
    decoder = ChatStreamDecoder("COHERE")
    for event in SSEDecoder().feed(raw):
        payload = json_payload(event)
        assert payload is not None
        decoder.feed(payload)
    final = decoder.close()
    assert final.response is not None and final.response.citations == ()
