"""The GenAI client metrics: ``gen_ai.client.token.usage`` and
``gen_ai.client.operation.duration`` histograms, with the conventions' bucket advice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry import metrics

from locus.core.response import ModelResponse

__all__ = ["Instruments"]

_KEYS = (
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.request.model",
    "server.address",
    "server.port",
)
_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
                     40.96, 81.92]  # fmt: skip
_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
                  16777216, 67108864]  # fmt: skip


class Instruments:
    """The two histograms, from one meter."""

    def __init__(self, meter: metrics.Meter) -> None:
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )

    def record_chat(
        self, attributes: Mapping[str, Any], seconds: float, response: ModelResponse
    ) -> None:
        """One answered chat call: its duration and its token counts by type."""
        common = {k: attributes[k] for k in _KEYS if k in attributes}
        if response.model_id:
            common["gen_ai.response.model"] = response.model_id
        self.duration.record(seconds, common)
        usage = response.usage
        for kind, key in (("input", "prompt_tokens"), ("output", "completion_tokens")):
            if key in usage:
                self.tokens.record(usage[key], {**common, "gen_ai.token.type": kind})

    def record_failure(
        self, attributes: Mapping[str, Any], seconds: float, error: BaseException | None
    ) -> None:
        """A chat call that ended without an answer: its duration, with ``error.type``."""
        common = {k: attributes[k] for k in _KEYS if k in attributes}
        common["error.type"] = type(error).__name__ if error is not None else "_OTHER"
        self.duration.record(seconds, common)
