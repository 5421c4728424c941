"""Models: ``get_model("provider:model-id", **kwargs)`` and the provider registry;
``get_embedding_model`` and ``get_rerank_model`` for embeddings and rerank;
``FallbackModel`` to try models in order.

Provider modules are imported only when first used.
"""

from locus.models.fallback import FallbackModel
from locus.models.registry import (
    ModelFactory,
    get_embedding_model,
    get_model,
    get_rerank_model,
    list_providers,
    register_provider,
)

__all__ = [
    "FallbackModel",
    "ModelFactory",
    "get_embedding_model",
    "get_model",
    "get_rerank_model",
    "list_providers",
    "register_provider",
]
