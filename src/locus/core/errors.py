"""The one exception tree of Locus.

::

    LocusError
    ├── ConfigurationError (also ValueError) ... misuse: bad arguments, unknown provider
    │   └── CredentialsError ...................... config file, key, profile, token problems
    ├── ModelError ..................................... a model call failed
    │   ├── TransportError ............................ no HTTP answer
    │   │   ├── ConnectError
    │   │   └── ModelTimeoutError
    │   ├── APIStatusError ............................ an HTTP error answer
    │   │   ├── BadRequestError (400)
    │   │   ├── AuthenticationError (401)
    │   │   ├── PermissionDeniedError (403)
    │   │   ├── NotFoundError (404)
    │   │   ├── ConflictError (409)
    │   │   ├── RateLimitError (429)
    │   │   └── ServerError (5xx)
    │   ├── ResponseError ............................. a 200 whose body makes no sense
    │   ├── StreamError ............................... a stream that broke or ended early
    │   └── FallbackError ............................. every model of a FallbackModel failed
    ├── ToolError ...................................... a tool call could not be run
    │   ├── UnknownToolError
    │   ├── ToolArgumentsError
    │   ├── ToolExecutionError
    │   └── ToolTimeoutError
    ├── RunError ....................................... an agent run could not finish
    │   ├── RunTimeoutError
    │   ├── UsageLimitError ........................... the run's token budget is spent
    │   ├── RunCancelledError
    │   ├── OutputValidationError ..................... structured output never validated
    │   ├── GuardrailTripped .......................... a hook (guardrail) stopped the run
    │   └── AlreadyResumedError ....................... a paused run was already resumed
    ├── SerializationError (also ValueError) ........... stored data Locus cannot read
    ├── StoreError ..................................... a thread store's database failed
    │   └── StoreUnavailableError ..................... cannot connect, or the connection broke
    └── ThreadConflictError ............................ a thread changed under a run

Texts never contain secrets (keys, tokens, signatures, Authorization headers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "APIStatusError",
    "AlreadyResumedError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
    "CredentialsError",
    "FallbackError",
    "GuardrailTripped",
    "LocusError",
    "ModelError",
    "ModelTimeoutError",
    "NotFoundError",
    "OutputValidationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseError",
    "RunCancelledError",
    "RunError",
    "SerializationError",
    "ServerError",
    "StoreError",
    "StoreUnavailableError",
    "StreamError",
    "ThreadConflictError",
    "ToolArgumentsError",
    "ToolError",
    "ToolExecutionError",
    "ToolTimeoutError",
    "TransportError",
    "UnknownToolError",
    "UsageLimitError",
]


class LocusError(Exception):
    """Base of every error Locus raises on purpose.

    When an agent run fails, the partial ``AgentResult`` (messages and metrics so far) is
    attached as ``result``; elsewhere it is ``None``.
    """

    result: Any = None


class ConfigurationError(LocusError, ValueError):
    """The SDK was used wrongly: an unknown argument, a bad model string, a bad setting."""


class CredentialsError(ConfigurationError):
    """Credentials cannot be loaded or used: config file, profile, key, session token."""


class ModelError(LocusError):
    """A model call failed. ``endpoint`` is the URL called, when there was one."""

    def __init__(self, message: str, *, endpoint: str | None = None, hint: str | None = None):
        self.endpoint = endpoint
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        text = super().__str__()
        if self.hint:
            text = f"{text}\nhint: {self.hint}"
        return text


class TransportError(ModelError):
    """No whole HTTP answer was received (connection refused or reset, DNS, TLS)."""


class ConnectError(TransportError):
    """The connection could not be made, or it broke before the whole answer arrived
    (a whole answer's body cut short too; a stream that broke after it started is a
    ``StreamError``)."""


class ModelTimeoutError(TransportError):
    """The call or one of its attempts ran out of time."""


class APIStatusError(ModelError):
    """The service answered with an HTTP error status.

    Carries ``status``, the OCI error ``code``, ``request_id`` (``opc-request-id``)
    and the error ``body`` (parsed JSON when it was JSON).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        request_id: str | None = None,
        endpoint: str | None = None,
        body: Any = None,
        hint: str | None = None,
        retry_after: float | None = None,
    ):
        self.status = status
        self.code = code
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after
        super().__init__(message, endpoint=endpoint, hint=hint)


class BadRequestError(APIStatusError):
    """400: the request was refused as invalid."""


class AuthenticationError(APIStatusError):
    """401: the signature, key, token or clock was not accepted."""


class PermissionDeniedError(APIStatusError):
    """403: authenticated but not allowed."""


class NotFoundError(APIStatusError):
    """404: unknown resource, or no policy allows you to see it (OCI says the same for both)."""


class ConflictError(APIStatusError):
    """409: a conflicting state (``IncorrectState``, ``LockConflict``)."""


class RateLimitError(APIStatusError):
    """429: throttled. ``retry_after`` is the server's ``Retry-After`` in seconds, if given."""


class ServerError(APIStatusError):
    """5xx: the service failed."""


class ResponseError(ModelError):
    """A success status with a body that cannot be understood (not JSON, wrong shape)."""


class StreamError(ModelError):
    """A stream broke, carried a malformed event, or ended without finishing."""


class FallbackError(ModelError):
    """Every model of a ``FallbackModel`` failed; ``errors`` holds each one's error, in
    the models' order (the last one is also the ``__cause__``; empty when the error was
    rebuilt from its message, as a durable run's client does)."""

    def __init__(self, message: str, *, errors: Sequence[BaseException] = ()) -> None:
        self.errors = list(errors)
        super().__init__(message)


class ToolError(LocusError):
    """A tool call could not be run; the agent shows the text to the model."""

    def __init__(self, message: str, *, tool_name: str | None = None):
        self.tool_name = tool_name
        super().__init__(message)


class UnknownToolError(ToolError):
    """The model called a tool that was not offered."""


class ToolArgumentsError(ToolError):
    """The model's arguments did not validate against the tool's schema."""


class ToolExecutionError(ToolError):
    """The tool raised an exception."""


class ToolTimeoutError(ToolError):
    """The tool did not finish within its timeout."""


class RunError(LocusError):
    """An agent run could not finish."""


class RunTimeoutError(RunError):
    """The run's deadline passed."""


class UsageLimitError(RunError):
    """The run used its token budget (``Agent(max_run_tokens=...)``) before it finished;
    it made no further model call."""


class RunCancelledError(RunError):
    """The run was cancelled."""


class OutputValidationError(RunError):
    """The model's structured output did not validate, and its retries ran out.

    ``raw`` is the last output text the model gave, ``errors`` the validation errors
    (pydantic's, compact) and ``result`` the partial ``AgentResult``.
    """

    def __init__(
        self,
        message: str,
        *,
        raw: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.raw = raw
        self.errors = list(errors or ())


class GuardrailTripped(RunError):
    """A hook stopped the run: ``guardrail`` names it, ``reason`` says why.

    Raised from any hook method (``locus.agent.Hook``); the run ends with this error and
    ``result`` is the partial ``AgentResult``.
    """

    def __init__(self, guardrail: str, reason: str) -> None:
        super().__init__(f"guardrail {guardrail!r} stopped the run: {reason}")
        self.guardrail = guardrail
        self.reason = reason


class AlreadyResumedError(RunError):
    """This paused run was already resumed; its approved calls ran (or run) once.

    Nothing ran for the call that got this error. Read the thread (or the first
    resume's result) for what happened.
    """


class SerializationError(LocusError, ValueError):
    """Stored or received data could not be read: malformed, or an unknown format version."""


class StoreError(LocusError):
    """A thread store's database failed: refused the login, is missing, read-only, corrupt
    or full. ``url`` names the store (any password masked); the driver's exception is the
    ``__cause__``. A write that raises it wrote nothing.
    """

    def __init__(self, message: str, *, url: str | None = None):
        self.url = url
        super().__init__(message)


class StoreUnavailableError(StoreError):
    """The store's database cannot be reached, or the connection to it broke mid-call.

    Often passing: retrying later may succeed (the store reconnects by itself).
    """


class ThreadConflictError(LocusError):
    """A conversation thread was changed by another run while this one was writing to it.

    Nothing was written by the run that gets this error; run it again on the fresh thread.
    """


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The ``APIStatusError`` subclass for an HTTP status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIStatusError)
