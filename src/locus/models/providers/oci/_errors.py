"""OCI error answers as typed errors, with a hint for the causes we know.

401: signature, key/fingerprint, clock skew, expired session token. 404: wrong region
for a DAC endpoint, wrong compartment, missing IAM policy. 400 on a DAC: the
endpoint's model family needs another ``api_format``. Hints name settings, never secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from locus.core.errors import APIStatusError
from locus.models.http._errors import ErrorDetails, status_error

__all__ = ["ErrorContext", "oci_error"]

_POLICY = "allow group <group> to use generative-ai-family in compartment <compartment>"


@dataclass(frozen=True, slots=True)
class ErrorContext:
    """What the model knows that explains an error (no secrets)."""

    model_id: str
    dedicated: bool
    region: str | None
    compartment_id: str | None
    profile: str | None
    api_format: str | None = None
    diagnosis: Callable[[], str | None] = field(default=lambda: None)
    principal: str | None = None
    """The principal kind (``"instance principal"``...) when one signs, else ``None``."""
    compartment_is_tenancy: bool = False
    """Whether no compartment was given, so the profile's tenancy was used instead."""
    subject: str | None = None
    """What was called when it is not a model (``"ApplyGuardrails"``): hints name it."""


def oci_error(details: ErrorDetails, *, endpoint: str, context: ErrorContext) -> APIStatusError:
    """The typed error for an OCI error answer, with a hint when a cause is known."""
    return status_error(
        details, endpoint=endpoint, hint=_hint(details, context), what="OCI Generative AI call"
    )


def _hint(details: ErrorDetails, context: ErrorContext) -> str | None:
    builders: dict[int, Callable[[ErrorContext], str | None]] = {
        400: _bad_request,
        401: _unauthenticated,
        403: _forbidden,
        404: _not_found,
        429: _throttled,
    }
    builder = builders.get(details.status)
    return builder(context) if builder else None


def _unauthenticated(context: ErrorContext) -> str:
    known = context.diagnosis()
    profile = context.profile or "DEFAULT"
    if context.principal:
        text = _principal_401(context.principal)
    else:
        text = (
            "OCI did not accept the request signature. Check that key_file is the private key "
            "whose public key (and fingerprint) is registered for the user of profile "
            f"[{profile}], that the system clock is right (more than 5 minutes of skew is "
            f"refused), and for a session token run `oci session refresh --profile {profile}`"
        )
    return f"{known}. {text}" if known else text


def _principal_401(principal: str) -> str:
    return (
        f"OCI did not accept the request signed by this {principal}. Check that a dynamic "
        f"group matches this {principal} and an IAM policy lets that group use "
        "generative-ai-family, that the security token could be refreshed, and that the "
        "system clock is right (more "
        "than 5 minutes of skew is refused); `locus doctor --auth-type ...` checks each step"
    )


_TENANCY_HINT = (
    "; the request used the profile's tenancy as the compartment because no "
    "compartment_id was given; pass compartment_id=... or set OCI_COMPARTMENT_ID"
)


def _not_found(context: ErrorContext) -> str:
    text = _not_found_causes(context)
    return text + _TENANCY_HINT if context.compartment_is_tenancy else text


def _not_found_causes(context: ErrorContext) -> str:
    where = f"region {context.region}" if context.region else "this region"
    compartment = context.compartment_id or "<not set>"
    if context.subject is not None:
        return (
            f"{context.subject} was not found or not authorized in {where}. Check that it is "
            f"offered in that region, that compartment_id ({compartment}) is right, and that "
            f"an IAM policy allows it, e.g. `{_POLICY}`"
        )
    if context.dedicated:
        return (
            f"the DAC endpoint {context.model_id} was not found or not authorized in {where}. "
            "Check that service_endpoint is in the endpoint OCID's region, that compartment_id "
            f"({compartment}) is the compartment you are allowed to use, and that an IAM policy "
            f"allows it, e.g. `{_POLICY}`"
        )
    return (
        f"model {context.model_id!r} was not found or not authorized in {where}. Check that "
        f"the model is offered in that region, that compartment_id ({compartment}) is right, "
        f"and that an IAM policy allows it, e.g. `{_POLICY}`"
    )


def _bad_request(context: ErrorContext) -> str | None:
    if not context.dedicated:
        return None
    current = (context.api_format or "GENERIC").lower()
    return (
        f"a DAC endpoint OCID does not reveal its model family; this request used "
        f"api_format={current!r}. Use api_format='cohere' for Cohere Command R models, "
        "'cohere_v2' for Command A (vision) models, and 'generic' for all others"
    )


def _forbidden(context: ErrorContext) -> str:
    return f"the caller is authenticated but not allowed; an IAM policy is needed: `{_POLICY}`"


def _throttled(context: ErrorContext) -> str:
    return "OCI throttled the requests and the retries ran out; slow down or raise max_retries"
