"""The OpenAI chat-completions wire codec (pure; no I/O).

Shared by ``OCIChatCompletionsModel`` and ``OpenAICompatibleModel``; its tool-call
assembly, argument parsing and stop-reason normalisation are reused by the OCI
native codecs.
"""

from locus.models.openai_format.decode import decode_openai_chat
from locus.models.openai_format.encode import encode_openai_chat
from locus.models.openai_format.stream import OpenAIStreamDecoder
from locus.models.openai_format.toolcalls import RAW_ARGUMENTS_KEY, parse_arguments

__all__ = [
    "RAW_ARGUMENTS_KEY",
    "OpenAIStreamDecoder",
    "decode_openai_chat",
    "encode_openai_chat",
    "parse_arguments",
]
