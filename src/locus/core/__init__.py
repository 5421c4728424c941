"""Provider-neutral vocabulary: messages, responses, stream events, the Model protocol, errors."""

from locus.core.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    CredentialsError,
    LocusError,
    ModelError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StreamError,
    ToolError,
)
from locus.core.messages import ImagePart, Message, ToolCall
from locus.core.model import Model
from locus.core.response import ModelResponse, StopReason, StreamEvent
from locus.core.toolspec import ToolSpec
from locus.core.usage import Usage

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "CredentialsError",
    "ImagePart",
    "LocusError",
    "Message",
    "Model",
    "ModelError",
    "ModelResponse",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "StopReason",
    "StreamError",
    "StreamEvent",
    "ToolCall",
    "ToolError",
    "ToolSpec",
    "Usage",
]
