"""``Citation``: frozen, and its JSON form round-trips (alone, and on a model answer as
the durable workflow records it)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from locus.core import Citation
from locus.core.errors import SerializationError
from locus.core.messages import Message
from locus.core.response import ModelResponse, StreamEvent
from locus.durable.temporal._wire import response_from_json, response_to_json

DOC = Citation(6, 39, "Emperor penguins are the tallest.", ("doc_0", "doc_2"))
WEB = Citation(0, 5, "Sure.", url="https://example.org/p", title="Penguins")


def test_frozen_and_hashable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DOC.start = 1  # type: ignore[misc]
    assert len({DOC, WEB, Citation(6, 39, DOC.text, ("doc_0", "doc_2"))}) == 2


@pytest.mark.parametrize("citation", [DOC, WEB, Citation(0, 0, "")])
def test_dict_round_trip_through_json(citation: Citation) -> None:
    data = json.loads(json.dumps(citation.to_dict()))
    assert Citation.from_dict(data) == citation


def test_url_and_title_only_when_set() -> None:
    assert DOC.to_dict() == {
        "start": 6,
        "end": 39,
        "text": DOC.text,
        "document_ids": ["doc_0", "doc_2"],
    }


@pytest.mark.parametrize(
    "data",
    [
        {"start": 0, "end": 1},
        {"start": "0", "end": 1, "text": "x"},
        {"start": 0, "end": 1, "text": "x", "document_ids": [1]},
        {"start": 0, "end": 1, "text": "x", "score": 0.5},
        ["not", "an", "object"],
    ],
)
def test_anything_else_is_a_serialization_error(data: Any) -> None:
    with pytest.raises(SerializationError, match="not a citation"):
        Citation.from_dict(data)


def test_a_response_keeps_its_citations_through_the_durable_json() -> None:
    response = ModelResponse(Message.assistant("Sure. " + DOC.text), citations=(WEB, DOC))
    raw = json.loads(json.dumps(response_to_json(response)))
    assert response_from_json(raw).citations == (WEB, DOC)
    assert StreamEvent.final(response).response is response


def test_a_response_without_citations_keeps_its_former_json() -> None:
    raw = response_to_json(ModelResponse(Message.assistant("Hi.")))
    assert "citations" not in raw
    assert response_from_json(raw).citations == ()
