"""``OCIRerankModel``: ``POST /20231130/actions/rerankText``, documents ranked for a query.

One call per ``rerank()`` (scores of different calls are not meant to be compared, so the
documents are not split), retried with the model's policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Unpack

from locus._sync import run_sync
from locus.core._checks import reject_unknown
from locus.core.errors import ConfigurationError, ResponseError
from locus.models.http._settings import keyword_names
from locus.models.providers.oci._actions import ActionClient, ActionOptions

__all__ = ["OCIRerankModel", "OCIRerankOptions", "RankedDocument"]


class OCIRerankOptions(ActionOptions, total=False):
    """``OCIRerankModel``'s keywords: the connection's and sending."""


@dataclass(frozen=True, slots=True)
class RankedDocument:
    """One document of a ranking: its ``index`` among those given, ``score`` and text."""

    index: int
    score: float
    document: str


class OCIRerankModel:
    """A rerank model on OCI Generative AI (``cohere.rerank-v3-5``, or a DAC endpoint OCID);
    the same connection keywords as ``OCIModel``."""

    keywords: ClassVar[frozenset[str]] = keyword_names(OCIRerankOptions)

    def __init__(self, model_id: str, **options: Unpack[OCIRerankOptions]) -> None:
        if not isinstance(model_id, str) or not model_id.strip():
            raise ConfigurationError("model_id is empty: name a rerank model or endpoint")
        name = type(self).__name__
        unknown = {k: v for k, v in options.items() if k not in self.keywords}
        reject_unknown(name, unknown, self.keywords)
        self._client = ActionClient(name, model_id, "rerankText", options, self.keywords)
        self.model_id = self._client.model_id

    def __repr__(self) -> str:
        mode = "DEDICATED" if self._client.dedicated else "ON_DEMAND"
        return f"OCIRerankModel(model_id={self.model_id!r}, serving_mode={mode})"

    @property
    def endpoint(self) -> str:
        """The URL of ``rerankText`` (known after the first call)."""
        return self._client.endpoint

    async def rerank(
        self,
        query: str,
        documents: Sequence[str],
        *,
        top_n: int | None = None,
        max_chunks_per_document: int | None = None,
    ) -> list[RankedDocument]:
        """``documents`` ordered by relevance to ``query``, best first (``top_n`` of them)."""
        if not isinstance(query, str) or not query.strip():
            raise ConfigurationError("rerank() needs a non-empty query")
        if isinstance(documents, str):
            raise ConfigurationError("rerank() takes a list of documents; wrap one as [text]")
        listed = list(documents)
        if not listed:
            return []
        if not all(isinstance(d, str) for d in listed):
            raise ConfigurationError("rerank() takes documents as strings")
        await self._client.ready()
        body: dict[str, Any] = {
            "input": query,
            "compartmentId": self._client.compartment_id(),
            "servingMode": self._client.serving_mode(),
            "documents": listed,
        }
        for name, key, value in (
            ("top_n", "topN", top_n),
            ("max_chunks_per_document", "maxChunksPerDocument", max_chunks_per_document),
        ):
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ConfigurationError(f"{name} must be a positive whole number")
                body[key] = value
        answer = await self._client.post(body)
        return _ranks(answer, listed, self.endpoint)

    def rerank_sync(
        self, query: str, documents: Sequence[str], *, top_n: int | None = None
    ) -> list[RankedDocument]:
        """``rerank()`` for synchronous code."""
        return run_sync(
            lambda: self.rerank(query, documents, top_n=top_n),
            name="rerank_sync",
            instead="await model.rerank(...)",
        )

    async def aclose(self) -> None:
        """Close the HTTP client; the model stays usable."""
        await self._client.aclose()

    async def __aenter__(self) -> OCIRerankModel:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _ranks(answer: Mapping[str, Any], documents: list[str], endpoint: str) -> list[RankedDocument]:
    raw = answer.get("documentRanks")
    if not isinstance(raw, list):
        raise ResponseError("rerankText answered no documentRanks list", endpoint=endpoint)
    ranked = []
    for entry in raw:
        index = entry.get("index") if isinstance(entry, Mapping) else None
        score = entry.get("relevanceScore") if isinstance(entry, Mapping) else None
        if not isinstance(index, int) or not 0 <= index < len(documents):
            raise ResponseError(f"rerankText answered a bad index {index!r}", endpoint=endpoint)
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise ResponseError(f"rerankText answered a bad score {score!r}", endpoint=endpoint)
        ranked.append(RankedDocument(index, float(score), documents[index]))
    return ranked
