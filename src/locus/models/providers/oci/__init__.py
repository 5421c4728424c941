"""OCI Generative AI provider: ``OCIModel`` (native chat API, DAC endpoints first),
``OCIChatCompletionsModel`` (the OpenAI-compatible API), and ``OCIEmbeddingModel`` /
``OCIRerankModel`` (the ``embedText`` and ``rerankText`` actions, on the same connection).

``create_model("<model id>", **kwargs)`` applies the routing rule of ``_routing.py``;
``get_model("oci:<model id>", ...)`` calls it; ``get_embedding_model`` and
``get_rerank_model`` call ``create_embedding_model`` and ``create_rerank_model``.
"""

from __future__ import annotations

from typing import Any

from locus.core.model import Model
from locus.models.providers.oci._batching import EmbeddingBatchError
from locus.models.providers.oci._chat_completions import OCIChatCompletionsModel
from locus.models.providers.oci._embeddings import Embeddings, OCIEmbeddingModel
from locus.models.providers.oci._formats import ApiFormat
from locus.models.providers.oci._model import OCIModel
from locus.models.providers.oci._rerank import OCIRerankModel, RankedDocument
from locus.models.providers.oci._routing import ModelClass, route
from locus.models.providers.oci.auth import OCIAuthType

__all__ = [
    "ApiFormat",
    "EmbeddingBatchError",
    "Embeddings",
    "OCIAuthType",
    "OCIChatCompletionsModel",
    "OCIEmbeddingModel",
    "OCIModel",
    "OCIRerankModel",
    "RankedDocument",
    "create_embedding_model",
    "create_model",
    "create_rerank_model",
]


def create_model(model_id: str, **kwargs: Any) -> Model:
    """The model class the routing rule picks for ``model_id``, built with ``kwargs``."""
    if route(model_id).model_class is ModelClass.NATIVE:
        return OCIModel(model_id, **kwargs)
    return OCIChatCompletionsModel(model_id, **kwargs)


def create_embedding_model(model_id: str, **kwargs: Any) -> OCIEmbeddingModel:
    """An ``OCIEmbeddingModel`` for ``model_id`` (a model name or a DAC endpoint OCID)."""
    return OCIEmbeddingModel(model_id, **kwargs)


def create_rerank_model(model_id: str, **kwargs: Any) -> OCIRerankModel:
    """An ``OCIRerankModel`` for ``model_id`` (a model name or a DAC endpoint OCID)."""
    return OCIRerankModel(model_id, **kwargs)
