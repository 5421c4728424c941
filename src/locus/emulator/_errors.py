"""OCI error answers: the status, ``code`` and ``message`` the real service sends (§5.1)."""

from __future__ import annotations

__all__ = [
    "ApiError",
    "bad_request",
    "cannot_parse",
    "not_authenticated",
    "not_found",
]


class ApiError(Exception):
    """An error the emulator answers with an OCI error body ``{"code", "message"}``."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_authenticated(reason: str) -> ApiError:
    """401 NotAuthenticated, with the verifier's reason appended."""
    return ApiError(
        401,
        "NotAuthenticated",
        "The required information to complete authentication was not provided or was "
        f"incorrect. {reason}",
    )


def not_found(what: str) -> ApiError:
    """404 NotAuthorizedOrNotFound for ``what`` (a model, endpoint or compartment)."""
    return ApiError(
        404,
        "NotAuthorizedOrNotFound",
        f"Authorization failed or requested resource not found: {what}",
    )


def cannot_parse(reason: str) -> ApiError:
    """400 CannotParseRequest (the body is not JSON, or not a JSON object)."""
    return ApiError(400, "CannotParseRequest", f"The request body could not be parsed: {reason}")


def bad_request(reason: str) -> ApiError:
    """400 InvalidParameter for a field that is missing, mistyped or not allowed."""
    return ApiError(400, "InvalidParameter", reason)
