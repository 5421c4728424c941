"""Retrieval: vector stores behind one small ``Retriever`` protocol, and a retrieval tool.

``await store.add(texts)`` embeds and keeps documents, ``await store.search(query, k)``
finds the closest ones (cosine), and ``store.as_tool(rerank=...)`` hands the search to an
agent. Stores: ``InMemoryVectorStore`` (exact, for tests and small corpora),
``SQLiteVecStore`` (one SQLite file with sqlite-vec, the embedded default) and
``PgVectorStore`` (PostgreSQL with pgvector, for many machines). Any object with
``async search(query, k) -> list[Document]`` is a ``Retriever``; ``retrieval_tool`` turns
one into a tool. See docs/rag.md.
"""

from locus.retrieval._document import Document
from locus.retrieval._memory import InMemoryVectorStore
from locus.retrieval._pgvector import PgVectorStore
from locus.retrieval._protocols import Embedder, Ranked, Reranker, Retriever
from locus.retrieval._sqlite_vec import SQLiteVecStore
from locus.retrieval._store import VectorStore
from locus.retrieval._tool import retrieval_tool

__all__ = [
    "Document",
    "Embedder",
    "InMemoryVectorStore",
    "PgVectorStore",
    "Ranked",
    "Reranker",
    "Retriever",
    "SQLiteVecStore",
    "VectorStore",
    "retrieval_tool",
]
