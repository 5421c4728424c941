"""Model providers by name: ``get_model("provider:model-id", **kwargs)``.

A provider is a factory ``create_model(model_id: str, **kwargs) -> Model``, given
directly or as a ``"package.module:attribute"`` path that is imported on first
use (so ``import locus`` never imports a provider). Embedding and rerank models have
tables of their own: ``get_embedding_model("oci:cohere.embed-v4.0", **kwargs)`` and
``get_rerank_model("oci:cohere.rerank-v3-5", **kwargs)``, with the keyword arguments of
``get_model`` (the connection's) and their own.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from importlib import import_module
from typing import Any

from locus.core._checks import did_you_mean
from locus.core.errors import ConfigurationError
from locus.core.model import Model

__all__ = [
    "ModelFactory",
    "get_embedding_model",
    "get_model",
    "get_rerank_model",
    "list_providers",
    "register_provider",
]

ModelFactory = Callable[..., Model]
"""``factory(model_id: str, **kwargs) -> Model``."""

_BUILTIN: dict[str, ModelFactory | str] = {
    "oci": "locus.models.providers.oci:create_model",
    "openai-compatible": "locus.models.openai_compatible:create_model",
    "mock": "locus.testing:create_model",
}
_providers: dict[str, ModelFactory | str] = dict(_BUILTIN)
_EMBEDDING: dict[str, str] = {"oci": "locus.models.providers.oci:create_embedding_model"}
_RERANK: dict[str, str] = {"oci": "locus.models.providers.oci:create_rerank_model"}
_lock = threading.Lock()


def register_provider(name: str, factory: ModelFactory | str, *, replace: bool = False) -> None:
    """Add a provider; ``factory`` is a callable or a ``"module:attribute"`` path."""
    if not name or ":" in name or name != name.strip():
        raise ConfigurationError(f"invalid provider name {name!r} (no ':' or spaces)")
    if isinstance(factory, str) and ":" not in factory:
        raise ConfigurationError(f"provider path {factory!r} must look like 'module:attribute'")
    if not isinstance(factory, str) and not callable(factory):
        raise ConfigurationError(f"provider factory {factory!r} is not callable")
    with _lock:
        if name in _providers and not replace:
            raise ConfigurationError(
                f"provider {name!r} is already registered; pass replace=True to override it"
            )
        _providers[name] = factory


def list_providers() -> list[str]:
    """The registered provider names, sorted."""
    return sorted(_providers)


def get_model(model: str, **kwargs: Any) -> Model:
    """Build a model from ``"provider:model-id"``; ``kwargs`` go to the provider's factory."""
    provider, model_id = _split(model)
    factory = _factory(provider)
    _check_kwargs(provider, factory, kwargs)
    return factory(model_id, **kwargs)


def get_embedding_model(model: str, **kwargs: Any) -> Any:
    """An embedding model from ``"provider:model-id"`` (``"oci:cohere.embed-v4.0"``, or
    ``"oci:<DAC endpoint OCID>"``); ``kwargs`` as for ``get_model``, plus the embedding
    options (``input_type``, ``truncate``, ``output_dimensions``, ``batch_size``,
    ``max_concurrency``)."""
    return _special("embedding", _EMBEDDING, model)(_split(model)[1], **kwargs)


def get_rerank_model(model: str, **kwargs: Any) -> Any:
    """A rerank model from ``"provider:model-id"`` (``"oci:cohere.rerank-v3-5"``, or a DAC
    endpoint OCID); ``kwargs`` as for ``get_model``."""
    return _special("rerank", _RERANK, model)(_split(model)[1], **kwargs)


def _special(kind: str, table: dict[str, str], model: str) -> Callable[..., Any]:
    provider, _ = _split(model)
    path = table.get(provider)
    if path is None:
        hint = did_you_mean(provider, list(table))
        raise ConfigurationError(
            f"no {kind} models from provider {provider!r}{hint}; known: {', '.join(table)}"
        )
    return _import(provider, path)


def _split(model: str) -> tuple[str, str]:
    if not isinstance(model, str):
        raise ConfigurationError(f"model must be a 'provider:model-id' string, got {model!r}")
    provider, sep, model_id = model.partition(":")
    if not sep or not provider or not model_id:
        raise ConfigurationError(
            f"model string {model!r} needs a provider prefix and a model id, like "
            f"'oci:cohere.command-r-plus-08-2024'; known providers: {_known()}"
        )
    return provider.strip().lower(), model_id.strip()


def _factory(provider: str) -> ModelFactory:
    with _lock:
        entry = _providers.get(provider)
    if entry is None:
        hint = did_you_mean(provider, list(_providers))
        raise ConfigurationError(f"unknown model provider {provider!r}{hint}; known: {_known()}")
    if not isinstance(entry, str):
        return entry
    factory = _import(provider, entry)
    with _lock:
        _providers[provider] = factory
    return factory


def _import(provider: str, path: str) -> ModelFactory:
    module_name, _, attribute = path.partition(":")
    try:
        factory = getattr(import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(
            f"model provider {provider!r} could not be loaded from {path!r}: {exc}"
        ) from exc
    if not callable(factory):
        raise ConfigurationError(f"model provider {provider!r}: {path!r} is not callable")
    return factory  # type: ignore[no-any-return]


def _check_kwargs(provider: str, factory: ModelFactory, kwargs: dict[str, Any]) -> None:
    """Reject names the factory cannot take (factories taking ``**kwargs`` check their own)."""
    try:
        params = list(inspect.signature(factory).parameters.values())
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return
    valid = [p.name for p in params[1:] if p.kind is not inspect.Parameter.POSITIONAL_ONLY]
    unknown = sorted(set(kwargs) - set(valid))
    if unknown:
        hints = "".join(f"\n  {name!r}{did_you_mean(name, valid)}" for name in unknown)
        raise ConfigurationError(
            f"unknown keyword argument(s) for provider {provider!r}:{hints}\n"
            f"valid ones are: {', '.join(valid) or '(none)'}"
        )


def _known() -> str:
    return ", ".join(list_providers())
