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

from locus.models.providers.oci.ocid import is_endpoint_ocid

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
    if model_id.strip().lower().startswith("cohere."):
        return Route(ModelClass.NATIVE, dedicated=False)
    return Route(ModelClass.CHAT_COMPLETIONS, dedicated=False)
