"""Provider-neutral vocabulary: messages, responses, stream events, the Model protocol, and
the whole exception tree (drawn in ``locus.core.errors``)."""

from locus.core import errors
from locus.core.citations import Citation
from locus.core.errors import *  # noqa: F403 - the whole tree, as errors.__all__ lists it
from locus.core.messages import ImagePart, Message, ToolCall
from locus.core.model import Model
from locus.core.response import ModelResponse, StopReason, StreamEvent
from locus.core.toolspec import ToolSpec
from locus.core.usage import Usage

__all__ = [
    "Citation",
    "ImagePart",
    "Message",
    "Model",
    "ModelResponse",
    "StopReason",
    "StreamEvent",
    "ToolCall",
    "ToolSpec",
    "Usage",
]
__all__ += errors.__all__
