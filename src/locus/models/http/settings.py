"""Keyword options every HTTP chat model accepts, checked and split into settings.

Generation parameters (``max_tokens``, ``temperature``, ... every ``GenerationParams``
field), ``timeout`` (seconds per attempt or an ``httpx.Timeout``), retry settings
(``max_retries``, ``retry_deadline`` or a whole ``retry_policy``) and
``tool_call_format`` (text tool-call formats to parse; ``None`` turns it off) and
``transport`` (an ``httpx.AsyncBaseTransport`` for proxies, custom TLS, or tests) and
``stream_grace`` (seconds to wait after a stream's finish event for its usage event) and
``max_connections`` / ``max_keepalive_connections`` (the pooled client's limits; httpx's
defaults are 100 and 20: raise the first for many concurrent calls, keep the second small
because httpcore scans its whole pool for every request) and ``http_backend`` (what
carries the bytes under the ``httpx.AsyncClient``: ``"httpx"`` (httpcore), ``"aiohttp"``
(``pip install "locus-oci[aiohttp]"``: about five times less CPU per request, for many
concurrent runs) or ``"auto"``: aiohttp when it is installed, else httpx).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, TypedDict

import httpx

from locus.core.errors import ConfigurationError
from locus.core.params import GenerationParams, ResponseFormat, ToolChoice
from locus.models.http.chat import make_timeout
from locus.models.http.options import reject_unknown
from locus.models.http.retry import RetryPolicy

__all__ = [
    "DEFAULT_BACKEND",
    "DEFAULT_FORMAT",
    "HttpBackend",
    "ModelOptions",
    "ModelSettings",
    "settings_from_options",
]

HttpBackend = Literal["httpx", "aiohttp"]
DEFAULT_BACKEND = "httpx"
"""``http_backend`` default."""

DEFAULT_FORMAT = "default"
"""``tool_call_format`` default: ``"auto"`` for DAC endpoints and ``OpenAICompatibleModel``,
off for OCI's on-demand models (they return structured tool calls)."""


class ModelOptions(TypedDict, total=False):
    """The shared keyword options (see the module docstring)."""

    max_tokens: int
    max_completion_tokens: int
    temperature: float
    top_p: float
    top_k: int
    frequency_penalty: float
    presence_penalty: float
    stop: str | Sequence[str]
    seed: int
    tool_choice: ToolChoice
    parallel_tool_calls: bool
    response_format: ResponseFormat
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high"]
    extra: dict[str, Any]
    timeout: float | httpx.Timeout | None
    max_retries: int
    retry_deadline: float
    retry_policy: RetryPolicy
    tool_call_format: str | Sequence[str] | None
    transport: httpx.AsyncBaseTransport
    stream_grace: float
    max_connections: int
    max_keepalive_connections: int
    http_backend: Literal["auto", "httpx", "aiohttp"]


_PARAM_NAMES = frozenset(f.name for f in fields(GenerationParams))
OPTION_NAMES = frozenset(ModelOptions.__annotations__)


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """The checked options of one model."""

    params: GenerationParams
    retry: RetryPolicy
    timeout: httpx.Timeout
    tool_call_format: str | Sequence[str] | None
    transport: httpx.AsyncBaseTransport | None
    stream_grace: float
    limits: httpx.Limits
    backend: HttpBackend = "httpx"


def settings_from_options(
    owner: str, options: Mapping[str, Any], explicit: Iterable[str]
) -> ModelSettings:
    """Check ``options`` (unknown names suggest the closest valid one) and split them."""
    unknown = {k: v for k, v in options.items() if k not in OPTION_NAMES}
    reject_unknown(owner, unknown, OPTION_NAMES | set(explicit))
    given = {k: v for k, v in options.items() if k in _PARAM_NAMES and v is not None}
    params = GenerationParams().merged(given)
    return ModelSettings(
        params=params,
        retry=_retry(options),
        timeout=make_timeout(options.get("timeout")),
        tool_call_format=options.get("tool_call_format", DEFAULT_FORMAT),
        transport=options.get("transport"),
        stream_grace=float(options.get("stream_grace", 1.0)),
        limits=httpx.Limits(
            max_connections=int(options.get("max_connections", 100)),
            max_keepalive_connections=int(options.get("max_keepalive_connections", 20)),
        ),
        backend=_backend(options),
    )


def _backend(options: Mapping[str, Any]) -> HttpBackend:
    """The checked ``http_backend`` (``"auto"`` resolved; a given ``transport`` wins)."""
    chosen = options.get("http_backend", DEFAULT_BACKEND)
    if chosen not in ("auto", "httpx", "aiohttp"):
        raise ConfigurationError(
            f"http_backend must be 'auto', 'httpx' or 'aiohttp', not {chosen!r}"
        )
    installed = _aiohttp_installed()
    if options.get("transport") is not None:
        if chosen == "aiohttp":
            raise ConfigurationError(
                "give either transport= or http_backend='aiohttp', not both (the backend "
                "is the transport)"
            )
        return "httpx"
    if chosen == "aiohttp" and not installed:
        raise ConfigurationError(
            "http_backend='aiohttp' needs aiohttp: pip install \"locus-oci[aiohttp]\""
        )
    if chosen == "auto":
        return "aiohttp" if installed else "httpx"
    return "aiohttp" if chosen == "aiohttp" else "httpx"


def _aiohttp_installed() -> bool:
    try:
        return importlib.util.find_spec("aiohttp") is not None
    except ValueError:  # a module set to None in sys.modules (blocked)
        return False


def _retry(options: Mapping[str, Any]) -> RetryPolicy:
    policy = options.get("retry_policy") or RetryPolicy()
    if options.get("max_retries") is not None:
        policy = replace(policy, max_retries=int(options["max_retries"]))
    if options.get("retry_deadline") is not None:
        policy = replace(policy, deadline=float(options["retry_deadline"]))
    return policy
