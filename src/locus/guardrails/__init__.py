"""OCI Generative AI guardrails: content moderation, PII and prompt-injection detection.

``OCIGuardrails`` calls ``ApplyGuardrails`` and answers a typed ``GuardrailsResult``;
``oci_guardrails(...)`` is a ready ``Hook`` that blocks or redacts a run's input, output
or tool results by it.
"""

from __future__ import annotations

from locus.guardrails._client import OCIGuardrails, OCIGuardrailsOptions
from locus.guardrails._hook import (
    BlockPolicy,
    ErrorPolicy,
    OCIGuardrailsHook,
    OCIGuardrailTripped,
    oci_guardrails,
)
from locus.guardrails._result import CategoryScore, GuardrailsResult, PiiEntity

__all__ = [
    "BlockPolicy",
    "CategoryScore",
    "ErrorPolicy",
    "GuardrailsResult",
    "OCIGuardrailTripped",
    "OCIGuardrails",
    "OCIGuardrailsHook",
    "OCIGuardrailsOptions",
    "PiiEntity",
    "oci_guardrails",
]
