"""Models: ``get_model("provider:model-id", **kwargs)`` and the provider registry.

Provider modules are imported only when first used.
"""

from locus.models.registry import ModelFactory, get_model, list_providers, register_provider

__all__ = ["ModelFactory", "get_model", "list_providers", "register_provider"]
