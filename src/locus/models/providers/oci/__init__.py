"""OCI Generative AI provider: ``OCIModel`` (native chat API, DAC endpoints first) and
``OCIChatCompletionsModel`` (the OpenAI-compatible API).

``create_model("<model id>", **kwargs)`` applies the routing rule of ``_routing.py``;
``get_model("oci:<model id>", ...)`` calls it.
"""

from __future__ import annotations

from typing import Any

from locus.core.model import Model
from locus.models.providers.oci._chat_completions import OCIChatCompletionsModel
from locus.models.providers.oci._formats import ApiFormat
from locus.models.providers.oci._model import OCIModel
from locus.models.providers.oci._routing import ModelClass, route
from locus.models.providers.oci.auth import OCIAuthType

__all__ = ["ApiFormat", "OCIAuthType", "OCIChatCompletionsModel", "OCIModel", "create_model"]


def create_model(model_id: str, **kwargs: Any) -> Model:
    """The model class the routing rule picks for ``model_id``, built with ``kwargs``."""
    if route(model_id).model_class is ModelClass.NATIVE:
        return OCIModel(model_id, **kwargs)
    return OCIChatCompletionsModel(model_id, **kwargs)
