"""Our errors across Temporal, and our retry policy as Temporal's.

A failed model or tool-side activity raises an ``ApplicationError`` whose ``type`` is the
Locus error class name and whose details are the error's safe context (HTTP status, OCI
``code``, ``opc-request-id``): never a body, a header or a key. Errors that a retry
cannot fix (a bad request, bad credentials, misuse) are marked non-retryable, and are
also listed in the activity retry policy, so Temporal does not try them again. On the
other side ``locus_error`` rebuilds the typed Locus error from the failure.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

from temporalio.common import RetryPolicy as TemporalRetryPolicy
from temporalio.exceptions import ApplicationError, FailureError

from locus.core import errors
from locus.core.errors import APIStatusError, LocusError, RunError, ToolError
from locus.models.http import RetryPolicy
from locus.models.http._retry import is_retryable_status

__all__ = ["NON_RETRYABLE", "application_error", "locus_error", "temporal_retry_policy"]

NON_RETRYABLE: tuple[str, ...] = (
    "ConfigurationError",
    "CredentialsError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "SerializationError",
    "OutputValidationError",
    "GuardrailTripped",
)
"""Locus errors a retry cannot fix: Temporal is told not to retry them."""

_ELSEWHERE = {"MCPConnectionError": "locus.mcp._errors"}
"""Locus errors defined outside ``locus.core.errors``, by the module that defines them
(imported only when such an error arrives)."""


def temporal_retry_policy(policy: RetryPolicy | None) -> TemporalRetryPolicy:
    """Our model ``RetryPolicy`` as Temporal's activity retry policy: ``max_retries`` + 1
    attempts, the same first delay, doubling, the same ceiling (no ``deadline``: a durable
    run rides out longer outages by more attempts).

    It is the only retry layer of a model call: inside the activity the model makes one
    request (``_attempts.single_attempt``), so a model that keeps failing is asked
    ``max_retries`` + 1 times in all, whether the attempts failed or their worker died.
    """
    policy = policy if policy is not None else RetryPolicy()
    return TemporalRetryPolicy(
        initial_interval=timedelta(seconds=max(policy.base_delay, 0.001)),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=max(policy.max_delay, policy.base_delay, 0.001)),
        maximum_attempts=policy.max_retries + 1,
        non_retryable_error_types=list(NON_RETRYABLE),
    )


def application_error(
    exc: BaseException, next_retry_delay: timedelta | None = None
) -> ApplicationError:
    """``exc`` as an ``ApplicationError`` (type = the class name, safe details only);
    ``next_retry_delay`` overrides Temporal's backoff before the next attempt (a server's
    ``Retry-After``)."""
    name = type(exc).__name__
    details: dict[str, Any] = {}
    if isinstance(exc, APIStatusError):
        details = {"status": exc.status, "code": exc.code, "request_id": exc.request_id}
    if isinstance(exc, ToolError):
        details = {"tool_name": exc.tool_name}
        server = getattr(exc, "server", None)  # (an MCP server's label: never its secrets)
        if isinstance(server, str):
            details["server"] = server
    if isinstance(exc, errors.GuardrailTripped):
        details = {"guardrail": exc.guardrail, "reason": exc.reason}
    retryable = isinstance(exc, LocusError) and name not in NON_RETRYABLE
    if isinstance(exc, APIStatusError) and not is_retryable_status(exc.status, exc.code):
        retryable = False  # (a 501, a 409 that is no conflict: the model never retries them)
    later = next_retry_delay if retryable else None
    return ApplicationError(
        str(exc), details, type=name, non_retryable=not retryable, next_retry_delay=later
    )


def locus_error(exc: BaseException) -> BaseException:
    """The Locus error a Temporal failure carries (its innermost ``ApplicationError``);
    ``exc`` itself when it carries none."""
    found = _application_cause(exc)
    if found is None or not found.type:
        return exc
    cls = _error_class(found.type)
    if not isinstance(cls, type) or not issubclass(cls, LocusError):
        return RunError(f"{found.type}: {found.message}")
    details = found.details[0] if found.details and isinstance(found.details[0], dict) else {}
    return _build(cls, found.message, details)


def _error_class(name: str) -> Any:
    module = _ELSEWHERE.get(name)
    return getattr(errors if module is None else import_module(module), name, None)


def _application_cause(exc: BaseException | None) -> ApplicationError | None:
    found: ApplicationError | None = None
    while exc is not None:
        if isinstance(exc, ApplicationError):
            found = exc
        exc = exc.cause if isinstance(exc, FailureError) else exc.__cause__
    return found


def _build(cls: type[LocusError], message: str, details: dict[str, Any]) -> LocusError:
    if issubclass(cls, APIStatusError):
        return cls(
            message,
            status=int(details.get("status") or 0),
            code=details.get("code"),
            request_id=details.get("request_id"),
        )
    if issubclass(cls, ToolError):
        more = {"server": str(details["server"])} if "server" in details else {}
        return cls(message, tool_name=details.get("tool_name"), **more)
    if cls is errors.GuardrailTripped:
        return cls(str(details.get("guardrail")), str(details.get("reason")))
    return cls(message)
