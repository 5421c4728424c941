"""The emulator's grounded answers: document ids as the service numbers them, the quotes of
the scripted engine, and the citations of any answer that quotes a document."""

from __future__ import annotations

import pytest

from locus.emulator._conversation import Conversation, Turn
from locus.emulator._errors import ApiError
from locus.emulator._grounding import Cite, cite, parse_documents
from locus.emulator.engines._grounded import grounded_answer
from locus.emulator.engines._scripted import scripted_reply

RAW = [
    {"title": "Tall penguins", "snippet": "Emperor penguins are the tallest."},
    {"id": "habitat", "text": "Emperor penguins live in Antarctica."},
    {"title": "No text at all"},
]


def conversation(question: str, raw: list[dict[str, str]] = RAW) -> Conversation:
    docs = parse_documents(raw, "chatRequest.documents")
    return Conversation("cohere.command-r-plus", (Turn("user", question),), documents=docs)


def test_documents_without_an_id_are_numbered_by_place() -> None:
    docs = parse_documents(RAW, "chatRequest.documents")
    assert [d.id for d in docs] == ["doc_0", "habitat", "doc_2"]
    assert docs[0].with_id() == {"id": "doc_0", **RAW[0]}
    assert [d.snippet for d in docs] == [RAW[0]["snippet"], RAW[1]["text"], ""]


@pytest.mark.parametrize("raw", [{"a": 1}, ["text"], [1]])
def test_documents_that_are_not_objects_are_a_400(raw: object) -> None:
    with pytest.raises(ApiError):
        parse_documents(raw, "chatRequest.documents")


def test_the_scripted_engine_quotes_the_most_relevant_documents() -> None:
    assert grounded_answer(conversation("Which are the tallest penguins?")) == (
        "According to the documents: Emperor penguins are the tallest."
    )
    both = grounded_answer(conversation("Tell me about emperor penguins"))
    assert both is not None and RAW[0]["snippet"] in both and RAW[1]["text"] in both
    unrelated = grounded_answer(conversation("Hello?"))
    assert unrelated is not None and RAW[1]["text"] in unrelated
    assert grounded_answer(conversation("Hello?", [{"title": "nothing to quote"}])) is None
    assert scripted_reply(conversation("Tallest penguins?")).text.startswith("According to")


def test_citations_are_the_spans_that_quote_a_document() -> None:
    docs = parse_documents([*RAW, {"snippet": "Emperor penguins are the tallest."}], "d")
    text = "Emperor penguins are the tallest. Yes: Emperor penguins are the tallest."
    assert cite(text, docs) == [
        Cite(0, 33, "Emperor penguins are the tallest.", ("doc_0", "doc_3")),
        Cite(39, 72, "Emperor penguins are the tallest.", ("doc_0", "doc_3")),
    ]
    assert cite("Nothing quoted.", docs) == []
