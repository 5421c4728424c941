"""The one routing rule for ``oci:<model id>`` (the seed's Part 1).

1. a DAC endpoint OCID (``ocid1.generativeaiendpoint...``, any case) -> ``OCIModel``,
   DEDICATED serving mode;
2. ``cohere.*`` (the seed names ``cohere.command-r*``; Command A and every other Cohere
   model too, because Cohere models are not served on the OpenAI-compatible API) ->
   ``OCIModel``, ON_DEMAND, COHERE format;
3. everything else -> ``OCIChatCompletionsModel`` (the OpenAI-compatible API).

``OCIModel`` decides its serving mode with the same ``route()``, so the two never disagree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from locus.core.errors import ConfigurationError
from locus.models.providers.oci._ocid import ENDPOINT_PREFIX, is_endpoint_ocid

__all__ = ["ModelClass", "Route", "route"]


class ModelClass(enum.StrEnum):
    """Which class serves a model id."""

    NATIVE = "OCIModel"
    CHAT_COMPLETIONS = "OCIChatCompletionsModel"


@dataclass(frozen=True, slots=True)
class Route:
    """Where a model id goes and whether it is a DAC (DEDICATED serving mode)."""

    model_class: ModelClass
    dedicated: bool


def route(model_id: str) -> Route:
    """Apply the routing rule to a model id."""
    if is_endpoint_ocid(model_id):
        return Route(ModelClass.NATIVE, dedicated=True)
    _refuse_foreign_ocid(model_id)
    if model_id.strip().lower().startswith("cohere."):
        return Route(ModelClass.NATIVE, dedicated=False)
    return Route(ModelClass.CHAT_COMPLETIONS, dedicated=False)


_MODEL_OCID_PREFIX = "ocid1.generativeaimodel."


def _refuse_foreign_ocid(model_id: str) -> None:
    """An OCID that names neither a DAC endpoint nor a model is a typo, not a model name."""
    lowered = model_id.strip().lower()
    if not lowered.startswith("ocid1.") or lowered.startswith(_MODEL_OCID_PREFIX):
        return
    kind = lowered.split(".")[1] if lowered.count(".") else ""
    raise ConfigurationError(
        f"{model_id!r} is an OCID of type {kind!r}, which is neither a DAC endpoint "
        f"({ENDPOINT_PREFIX}...) nor a model ({_MODEL_OCID_PREFIX}...); check it for a typo"
    )
