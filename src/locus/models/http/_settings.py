"""Keyword options every HTTP chat model accepts, checked and split into settings.

Generation parameters (``max_tokens``, ``temperature``, ... every ``GenerationParams``
field), ``timeout`` (seconds per attempt or an ``httpx.Timeout``), retry settings
(``max_retries``, ``retry_deadline`` or a whole ``retry_policy``) and
``tool_call_format`` (text tool-call formats to parse; ``None`` turns it off) and
``transport`` (an ``httpx.AsyncBaseTransport`` for proxies, custom TLS, or tests) and
``stream_grace`` (seconds to wait after a stream's finish event for its usage event) and
``max_connections`` / ``max_keepalive_connections`` (the pool's limits; ``max_connections``
defaults to ``None``: as many connections as calls in flight, up to a cap from the
process's open-file limit, see ``default_max_connections``; ``max_keepalive_connections``
(httpx backend only) defaults to 20: keep it small, httpcore scans its whole pool for
every request) and ``http_backend`` (what carries the bytes under the
``httpx.AsyncClient``: ``"aiohttp"`` (the default through ``"auto"``: about five times
less CPU per request, and no pool-queue rescans under load), ``"httpx"`` (httpcore) or
``"auto"``: aiohttp unless it cannot be imported, then httpx; a given ``transport``
always means httpx) and the answer
limits (see ``_limits``): ``max_response_bytes`` (a whole answer, decoded; default 64 MiB),
``max_stream_bytes`` (all of a stream; 512 MiB) and ``max_stream_seconds`` (a stream from
start to end; 3600).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import httpx

from locus.core._checks import reject_unknown
from locus.core.errors import ConfigurationError
from locus.core.params import GenerationParams, ResponseFormat, ToolChoice
from locus.models.http._limits import AnswerLimits, attempt_seconds
from locus.models.http._retry import RetryPolicy

if TYPE_CHECKING:  # (the parser is imported by a model that parses text tool calls)
    from locus.models.http._textcalls import ToolCallFormats

__all__ = [
    "DEFAULT_TIMEOUT",
    "PARAM_NAMES",
    "HttpBackend",
    "ModelOptions",
    "ModelSettings",
    "default_max_connections",
    "keyword_names",
    "make_timeout",
]

HttpBackend = Literal["httpx", "aiohttp"]

DEFAULT_TIMEOUT = httpx.Timeout(240.0, connect=10.0)

PARAM_NAMES = frozenset(f.name for f in fields(GenerationParams))
"""The generation parameters (options at construction, overrides per call)."""


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
    max_connections: int | None
    max_keepalive_connections: int
    http_backend: Literal["auto", "httpx", "aiohttp"]
    max_response_bytes: int
    max_stream_bytes: int
    max_stream_seconds: float


def keyword_names(options_type: Any) -> frozenset[str]:
    """The keyword names of a model's options ``TypedDict`` (bases included)."""
    return frozenset(options_type.__annotations__)


def make_timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    """Seconds per attempt (connect capped at 10 s), an ``httpx.Timeout``, or the default."""
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(float(value), connect=min(float(value), 10.0))


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """The checked options of one model."""

    params: GenerationParams
    retry: RetryPolicy
    timeout: httpx.Timeout
    tool_call_format: ToolCallFormats
    transport: httpx.AsyncBaseTransport | None
    stream_grace: float
    limits: httpx.Limits
    backend: HttpBackend = "aiohttp"
    answer_limits: AnswerLimits = field(default_factory=AnswerLimits)

    @classmethod
    def parse(
        cls,
        owner: str,
        options: Mapping[str, Any],
        valid: Iterable[str],
        *,
        tool_call_format: ToolCallFormats,
    ) -> ModelSettings:
        """Check ``options`` against ``valid`` (an unknown name suggests the closest one) and
        read the shared ones; ``tool_call_format`` is the owner's default."""
        reject_unknown(owner, {k: v for k, v in options.items() if k not in valid}, valid)
        given = {k: v for k, v in options.items() if k in PARAM_NAMES and v is not None}
        timeout = make_timeout(options.get("timeout"))
        return cls(
            params=GenerationParams().merged(given),
            retry=_retry(options),
            timeout=timeout,
            tool_call_format=options.get("tool_call_format", tool_call_format),
            transport=options.get("transport"),
            stream_grace=float(options.get("stream_grace", 1.0)),
            limits=_limits(options),
            backend=_backend(options),
            answer_limits=_answer_limits(options, timeout),
        )


def _backend(options: Mapping[str, Any]) -> HttpBackend:
    """The checked ``http_backend`` (``"auto"`` resolved; a given ``transport`` wins)."""
    chosen = options.get("http_backend", "auto")
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
            "http_backend='aiohttp' needs aiohttp (a dependency of locus-oci, missing "
            "here): pip install aiohttp"
        )
    if chosen == "auto":
        return "aiohttp" if installed else "httpx"
    return "aiohttp" if chosen == "aiohttp" else "httpx"


_WINDOWS_CAP = 1024
"""The connection cap on Windows (no ``RLIMIT_NOFILE``; sockets are not bounded by it)."""

_CAP = 4096
"""The most connections a pool opens by default, whatever the open-file limit."""


def default_max_connections() -> int:
    """The pool size when ``max_connections`` is not given: half the soft open-file limit
    (``RLIMIT_NOFILE``), at most 4096 and at least 16; 1024 on Windows. A pool opens
    connections only for calls in flight, so this is a ceiling, not a reservation."""
    if sys.platform == "win32":
        return _WINDOWS_CAP
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return _CAP
    return max(16, min(_CAP, soft // 2))


def _limits(options: Mapping[str, Any]) -> httpx.Limits:
    """The pool limits: ``max_connections`` (``None``: ``default_max_connections()``)."""
    given = options.get("max_connections")
    keepalive = options.get("max_keepalive_connections")
    for name, value in (("max_connections", given), ("max_keepalive_connections", keepalive)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigurationError(f"{name} must be a whole number, not {value!r}")
        if value is not None and value < (1 if name == "max_connections" else 0):
            raise ConfigurationError(f"{name} must be positive, not {value!r}")
    return httpx.Limits(
        max_connections=default_max_connections() if given is None else given,
        max_keepalive_connections=20 if keepalive is None else keepalive,
    )


def _aiohttp_installed() -> bool:
    try:
        return importlib.util.find_spec("aiohttp") is not None
    except ValueError:  # a module set to None in sys.modules (blocked)
        return False


def _answer_limits(options: Mapping[str, Any], timeout: httpx.Timeout) -> AnswerLimits:
    """The attempt bound from ``timeout`` and the checked size and duration limits."""
    default = AnswerLimits()
    values = {
        "max_response_bytes": options.get("max_response_bytes", default.response_bytes),
        "max_stream_bytes": options.get("max_stream_bytes", default.stream_bytes),
        "max_stream_seconds": options.get("max_stream_seconds", default.stream_seconds),
    }
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ConfigurationError(f"{name} must be a positive number, not {value!r}")
    return AnswerLimits(
        attempt=attempt_seconds(timeout),
        response_bytes=int(values["max_response_bytes"]),
        stream_bytes=int(values["max_stream_bytes"]),
        stream_seconds=float(values["max_stream_seconds"]),
    )


def _retry(options: Mapping[str, Any]) -> RetryPolicy:
    policy = options.get("retry_policy") or RetryPolicy()
    if options.get("max_retries") is not None:
        policy = replace(policy, max_retries=int(options["max_retries"]))
    if options.get("retry_deadline") is not None:
        policy = replace(policy, deadline=float(options["retry_deadline"]))
    return policy
