"""An emulator whose chat model calls the retrieval tool, 200 documents, and the stores.

The rules make the chat model call ``search_documents`` with the question, then answer
with the tool's result; embeddings and rerank are the emulator's own (deterministic word
features), so the right document must rank first on its merits.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from locus.emulator import Emulator
from locus.models.providers.oci import OCIAuthType, OCIEmbeddingModel, OCIRerankModel
from tests.integration.stores.services import service_dsn, stop_started_services

QUESTION = "When does the Lisbon office of Acme open?"
CITIES = [
    "Lisbon",
    "Porto",
    "Madrid",
    "Paris",
    "Berlin",
    "Rome",
    "Vienna",
    "Dublin",
    "Oslo",
    "Prague",
]
COMPANIES = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Aperture",
    "Monarch",
    "Dunder",
    "Pied",
    "Massive",
    "Nakatomi",
]
PGVECTOR_DSN = "LOCUS_TEST_PGVECTOR_DSN"


def corpus() -> list[str]:
    """200 office notes (10 cities x 20 companies); only one is Acme's Lisbon office."""
    notes = []
    for c, company in enumerate(COMPANIES):
        for i, city in enumerate(CITIES):
            hour, floor = 7 + (c + i) % 4, 1 + (c * 3 + i) % 9
            notes.append(
                f"The {city} office of {company} opens at {hour:02d}:{(c * 7) % 60:02d}; "
                f"visitors sign in on floor {floor}."
            )
    return notes


RIGHT = corpus().index(next(t for t in corpus() if t.startswith("The Lisbon office of Acme")))


@pytest.fixture(scope="module")
def rag_emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    rules = tmp_path_factory.mktemp("rules") / "rules.json"
    rules.write_text(
        json.dumps(
            {
                "rules": [
                    {
                        "when": {"tool_results": False},
                        "reply": {
                            "tool_calls": [
                                {"name": "search_documents", "arguments": {"query": QUESTION}}
                            ]
                        },
                    },
                    {
                        "when": {"tool_results": True},
                        "reply": {"text": "From the documents: {results}"},
                    },
                ]
            }
        )
    )
    with Emulator(rules=rules) as emu:
        yield emu


def place(emu: Emulator) -> dict[str, Any]:
    return {
        "service_endpoint": emu.service_endpoint,
        "compartment_id": emu.compartment_id,
        "config_file": emu.config_file,
        "profile_name": emu.profile,
        "auth_type": OCIAuthType.API_KEY,
    }


@pytest.fixture
async def embedder(rag_emu: Emulator) -> AsyncIterator[OCIEmbeddingModel]:
    model = OCIEmbeddingModel("cohere.embed-v4.0", output_dimensions=1024, **place(rag_emu))
    yield model
    await model.aclose()


@pytest.fixture
async def reranker(rag_emu: Emulator) -> AsyncIterator[OCIRerankModel]:
    model = OCIRerankModel("cohere.rerank-v3-5", **place(rag_emu))
    yield model
    await model.aclose()


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """The PostgreSQL with pgvector of ``scripts/test-services.sh`` (from the environment,
    its env file, or started for this session); a test that needs it fails, never skips,
    when it cannot be had."""
    yield service_dsn(PGVECTOR_DSN)
    stop_started_services()


@pytest.fixture
async def pg_table(pg_dsn: str) -> AsyncIterator[str]:
    """A fresh table name, dropped after the test."""
    import psycopg

    table = f"locus_test_{uuid.uuid4().hex[:12]}"
    yield table
    async with await psycopg.AsyncConnection.connect(pg_dsn, autocommit=True) as db:
        await db.execute(f"DROP TABLE IF EXISTS {table}")
