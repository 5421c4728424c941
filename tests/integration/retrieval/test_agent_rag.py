"""Done-when of the retrieval work: an agent on the emulator answers a question by calling
the retrieval tool over 200 documents, on sqlite-vec and on pgvector, with and without
rerank, and the right document ranks first."""

from __future__ import annotations

from pathlib import Path

import pytest

from locus.agent import Agent
from locus.emulator import Emulator
from locus.models.providers.oci import OCIEmbeddingModel, OCIModel, OCIRerankModel
from locus.retrieval import InMemoryVectorStore, PgVectorStore, SQLiteVecStore, VectorStore

from .conftest import QUESTION, RIGHT, corpus, place


async def _ask(emu: Emulator, store: VectorStore, reranker: OCIRerankModel | None) -> str:
    model = OCIModel("meta.llama-3.3-70b-instruct", **place(emu))
    tool = store.as_tool(k=3, rerank=reranker, candidates=20)
    agent = Agent(model=model, tools=[tool], max_iterations=3)
    try:
        result = await agent.arun(QUESTION)
    finally:
        await model.aclose()
    assert result.metrics.tool_calls == 1
    return str(result.message)


async def _check(emu: Emulator, store: VectorStore, reranker: OCIRerankModel | None) -> None:
    ids = await store.add(corpus())
    assert len(ids) == 200
    found = await store.search(QUESTION, k=5)
    assert found[0].id == f"doc-{RIGHT}" and found[0].score > found[1].score  # type: ignore[operator]
    answer = await _ask(emu, store, reranker)
    assert answer.startswith(f"From the documents: [1] (id doc-{RIGHT}, score ")
    assert corpus()[RIGHT] in answer.split("[2]")[0]
    if reranker is not None:
        assert answer.startswith(f"From the documents: [1] (id doc-{RIGHT}, score 1.000)")


@pytest.mark.parametrize("rerank", [False, True], ids=["no-rerank", "rerank"])
async def test_agent_over_sqlite_vec(
    rag_emu: Emulator,
    embedder: OCIEmbeddingModel,
    reranker: OCIRerankModel,
    tmp_path: Path,
    rerank: bool,
) -> None:
    store = SQLiteVecStore(tmp_path / "rag.db", embedder)
    try:
        await _check(rag_emu, store, reranker if rerank else None)
    finally:
        await store.close()


@pytest.mark.parametrize("rerank", [False, True], ids=["no-rerank", "rerank"])
async def test_agent_over_pgvector(
    rag_emu: Emulator,
    embedder: OCIEmbeddingModel,
    reranker: OCIRerankModel,
    pg_dsn: str,
    pg_table: str,
    rerank: bool,
) -> None:
    store = PgVectorStore(embedder, dsn=pg_dsn, table=pg_table)
    try:
        await _check(rag_emu, store, reranker if rerank else None)
    finally:
        await store.close()


async def test_agent_over_memory(
    rag_emu: Emulator, embedder: OCIEmbeddingModel, reranker: OCIRerankModel
) -> None:
    await _check(rag_emu, InMemoryVectorStore(embedder), reranker)
