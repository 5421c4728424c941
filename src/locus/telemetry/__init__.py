"""OpenTelemetry for agents: GenAI spans and metrics, switched on by ``instrument()``.

``instrument()`` gives every run of every agent a telemetry hook (before the agent's own
hooks): ``invoke_agent {agent}``, ``chat {model}`` and ``execute_tool {tool}`` spans with
the GenAI semantic conventions' ``gen_ai.*`` attributes, OCI's (``oci.request_id``,
``oci.serving_mode``, ``oci.endpoint_id``, ``cloud.region``), W3C ``traceparent`` on each
model request, and the ``gen_ai.client.token.usage`` / ``gen_ai.client.operation.duration``
histograms. Nothing happens until it is called, even with a tracer provider configured:
tracing is explicit. Message contents are recorded only with ``capture_content=True`` or
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``.

Needs ``opentelemetry-api`` (``pip install "locus-oci[otel]"``); exporters and the SDK are
the application's choice.
"""

from __future__ import annotations

import os

try:
    from opentelemetry import metrics, trace
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError('locus.telemetry needs OpenTelemetry: pip install "locus-oci[otel]"') from exc

from locus.telemetry._hook import TelemetryHook
from locus.telemetry._metrics import Instruments

__all__ = ["CAPTURE_CONTENT_ENV", "instrument", "is_instrumented", "uninstrument"]

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
"""The conventions' switch for recording prompts, answers and tool arguments/results."""

_SCOPE = "locus"
_hooks: tuple[TelemetryHook, ...] = ()


def instrument(
    *,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
    capture_content: bool | None = None,
) -> None:
    """Trace every agent run from now on (calling it again replaces the settings).

    ``tracer_provider`` / ``meter_provider`` default to the global ones (set them before
    or after: the global proxies follow). ``capture_content`` defaults to the
    ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` environment variable, read now.
    """
    global _hooks
    from locus import __version__

    if capture_content is None:
        capture_content = os.environ.get(CAPTURE_CONTENT_ENV, "").strip().lower() == "true"
    tracer = trace.get_tracer(_SCOPE, __version__, tracer_provider=tracer_provider)
    meter = metrics.get_meter(_SCOPE, __version__, meter_provider=meter_provider)
    _hooks = (TelemetryHook(tracer, Instruments(meter), bool(capture_content)),)


def uninstrument() -> None:
    """Stop tracing runs that start from now on."""
    global _hooks
    _hooks = ()


def is_instrumented() -> bool:
    """Whether runs are traced."""
    return bool(_hooks)


def _global_hooks() -> tuple[TelemetryHook, ...]:
    """The hooks every run gets (read by ``locus.agent`` once this module is imported)."""
    return _hooks
