"""The emulator's catalogue: on-demand models and Dedicated AI Cluster (DAC) endpoints.

A catalogue file (JSON or YAML) may extend the built-in one or replace it::

    mode: extend            # or "replace"
    models:
      - {name: my.model, api_formats: [GENERIC], tool_call_style: native}
    endpoints:
      - {name: my-dac, model: my.model, tool_call_style: hermes}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "TOOL_CALL_STYLES",
    "Catalogue",
    "Endpoint",
    "ModelEntry",
    "default_catalogue",
    "endpoint_ocid",
    "load_catalogue",
]

TOOL_CALL_STYLES = ("native", "hermes", "qwen3_coder", "llama_json", "cohere", "glm")
_API_FORMATS = ("GENERIC", "COHERE", "COHEREV2")
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """A model the emulator serves on demand (or hosts behind a DAC endpoint)."""

    name: str
    api_formats: tuple[str, ...] = ("GENERIC",)
    tool_call_style: str = "native"
    version: str = "1.0"
    capability: str = "CHAT"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A DAC endpoint: an OCID that routes to one hosted model."""

    ocid: str
    model: str
    api_format: str
    tool_call_style: str
    api_formats: tuple[str, ...] = ("GENERIC",)
    capability: str = "CHAT"
    ignores_response_format: bool = False
    """The hosted model answers prose whatever ``responseFormat`` asks (no JSON mode)."""

    def as_info(self) -> dict[str, str]:
        """The endpoint as listed in emulator.json."""
        return {
            "ocid": self.ocid,
            "model": self.model,
            "api_format": self.api_format,
            "tool_call_style": self.tool_call_style,
        }


@dataclass(slots=True)
class Catalogue:
    """What the emulator serves, looked up by model name or endpoint OCID."""

    models: dict[str, ModelEntry] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)

    def chat_models(self) -> list[str]:
        """Names of the on-demand chat models (what emulator.json lists)."""
        return sorted(name for name, entry in self.models.items() if entry.capability == "CHAT")

    def chat_endpoints(self) -> list[Endpoint]:
        """The DAC endpoints hosting chat models (what emulator.json lists)."""
        return [e for e in self.endpoints.values() if e.capability == "CHAT"]

    def model(self, name: str) -> ModelEntry | None:
        """The on-demand model called ``name``, if any."""
        return self.models.get(name)

    def endpoint(self, ocid: str) -> Endpoint | None:
        """The DAC endpoint with this OCID, if any."""
        return self.endpoints.get(ocid)

    def by_style(self, style: str) -> Endpoint:
        """The first endpoint whose tool calls come back in ``style``.

        An unknown style is a ``ValueError`` that lists the valid ones; a valid style no
        chat endpoint of this catalogue has is a ``LookupError`` that lists the ones it has.
        """
        if style not in TOOL_CALL_STYLES:
            raise ValueError(
                f"unknown tool_call_style {style!r}; valid styles: {', '.join(TOOL_CALL_STYLES)}"
            )
        endpoints = self.chat_endpoints()
        for endpoint in endpoints:
            if endpoint.tool_call_style == style:
                return endpoint
        present = sorted({endpoint.tool_call_style for endpoint in endpoints})
        has = f"it has {', '.join(present)}" if present else "this catalogue has none"
        raise LookupError(f"no DAC endpoint with tool_call_style {style!r} ({has})")


def endpoint_ocid(region: str, name: str) -> str:
    """A stable DAC endpoint OCID for ``name`` in ``region`` (60 lowercase base32 chars)."""
    digest = hashlib.sha256(f"locus-emulator/{name}".encode()).digest()
    bits = int.from_bytes(digest, "big")
    unique = "".join(_BASE32[(bits >> (5 * i)) & 31] for i in range(51))
    return f"ocid1.generativeaiendpoint.oc1.{region}.amaaaaaa{unique}"


def api_formats_for(model: str) -> tuple[str, ...]:
    """The chat API formats a model family accepts (Cohere Command A also speaks COHEREV2)."""
    if model.startswith("cohere.command-a"):
        return ("COHERE", "COHEREV2")
    if model.startswith("cohere."):
        return ("COHERE",)
    return ("GENERIC",)


_DEFAULT_MODELS = (
    ("meta.llama-3.3-70b-instruct", "native"),
    ("cohere.command-r-plus-08-2024", "cohere"),
    ("cohere.command-a-03-2025", "cohere"),
    ("openai.gpt-oss-120b", "native"),
    ("xai.grok-4", "native"),
    ("xai.grok-3", "native"),
)

_DEFAULT_NON_CHAT = (
    ModelEntry("cohere.embed-english-v3.0", (), "native", "3.0", "TEXT_EMBEDDINGS"),
    ModelEntry("cohere.embed-multilingual-v3.0", (), "native", "3.0", "TEXT_EMBEDDINGS"),
    ModelEntry("cohere.embed-english-light-v3.0", (), "native", "3.0", "TEXT_EMBEDDINGS"),
    ModelEntry("cohere.embed-english-image-v3.0", (), "native", "3.0", "TEXT_EMBEDDINGS"),
    ModelEntry("cohere.embed-v4.0", (), "native", "4.0", "TEXT_EMBEDDINGS"),
    ModelEntry("cohere.rerank-v3-5", (), "native", "3.5", "TEXT_RERANK"),
)
_CAPABILITIES = ("CHAT", "TEXT_EMBEDDINGS", "TEXT_RERANK")

_DEFAULT_ENDPOINTS: tuple[dict[str, str], ...] = (
    {"name": "qwen-hermes", "model": "Qwen/Qwen2.5-72B-Instruct", "tool_call_style": "hermes"},
    {"name": "gpt-oss-native", "model": "openai.gpt-oss-120b", "tool_call_style": "native"},
    {
        "name": "qwen3-coder",
        "model": "Qwen/Qwen3-Coder-30B-A3B-Instruct",
        "tool_call_style": "qwen3_coder",
    },
    {"name": "llama-json", "model": "meta.llama-3.3-70b-instruct", "tool_call_style": "llama_json"},
    {"name": "cohere-command-a", "model": "cohere.command-a-03-2025", "tool_call_style": "cohere"},
    {"name": "glm-dac", "model": "zai-org/GLM-4.6", "tool_call_style": "glm"},
    {
        "name": "qwen-prose",
        "model": "Qwen/Qwen2.5-7B-Instruct",
        "tool_call_style": "hermes",
        "ignores_response_format": "true",
    },
    {"name": "cohere-rerank", "model": "cohere.rerank-v3-5", "tool_call_style": "native"},
    {"name": "cohere-embed", "model": "cohere.embed-v4.0", "tool_call_style": "native"},
)


def default_catalogue(region: str) -> Catalogue:
    """The built-in catalogue for ``region``."""
    catalogue = Catalogue()
    for name, style in _DEFAULT_MODELS:
        catalogue.models[name] = ModelEntry(name, api_formats_for(name), style)
    for entry in _DEFAULT_NON_CHAT:
        catalogue.models[entry.name] = entry
    for spec in _DEFAULT_ENDPOINTS:
        _add_endpoint(catalogue, spec, region)
    return catalogue


def load_catalogue(path: str | Path | None, region: str) -> Catalogue:
    """The built-in catalogue, extended or replaced by the file at ``path``."""
    if path is None:
        return default_catalogue(region)
    data = _read_mapping(Path(path))
    mode = data.get("mode", "extend")
    if mode not in ("extend", "replace"):
        raise ValueError(f"catalogue mode must be 'extend' or 'replace', not {mode!r}")
    catalogue = default_catalogue(region) if mode == "extend" else Catalogue()
    for spec in _entries(data, "models"):
        entry = _model_entry(spec)
        catalogue.models[entry.name] = entry
    for spec in _entries(data, "endpoints"):
        _add_endpoint(catalogue, spec, region)
    return catalogue


def _read_mapping(path: Path) -> Mapping[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: a catalogue file must hold a mapping")
    return data


def _entries(data: Mapping[str, Any], key: str) -> Iterable[Mapping[str, Any]]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise ValueError(f"catalogue {key!r} must be a list of mappings")
    return entries


def _model_entry(spec: Mapping[str, Any]) -> ModelEntry:
    name = str(spec["name"])
    formats = tuple(spec.get("api_formats") or api_formats_for(name))
    style = str(spec.get("tool_call_style", "cohere" if "COHERE" in formats else "native"))
    _check(formats, style)
    capability = str(spec.get("capability", "CHAT"))
    if capability not in _CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}; expected one of {_CAPABILITIES}")
    return ModelEntry(name, formats, style, str(spec.get("version", "1.0")), capability)


def _add_endpoint(catalogue: Catalogue, spec: Mapping[str, Any], region: str) -> None:
    model = str(spec["model"])
    formats = tuple(spec.get("api_formats") or api_formats_for(model))
    api_format = str(spec.get("api_format", formats[0]))
    style = str(spec.get("tool_call_style", "native"))
    _check((*formats, api_format), style)
    ocid = str(spec.get("ocid") or endpoint_ocid(region, str(spec.get("name", model))))
    hosted = catalogue.model(model)
    capability = hosted.capability if hosted is not None else "CHAT"
    ignores = str(spec.get("ignores_response_format", "false")).lower() == "true"
    catalogue.endpoints[ocid] = Endpoint(
        ocid, model, api_format, style, formats, capability, ignores
    )


def _check(formats: Iterable[str], style: str) -> None:
    bad = [f for f in formats if f not in _API_FORMATS]
    if bad:
        raise ValueError(f"unknown api format(s) {bad}; expected one of {_API_FORMATS}")
    if style not in TOOL_CALL_STYLES:
        raise ValueError(f"unknown tool_call_style {style!r}; expected one of {TOOL_CALL_STYLES}")
