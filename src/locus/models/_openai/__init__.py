"""The OpenAI chat-completions wire codec (pure; no I/O).

Spoken by ``OpenAICompatibleModel`` and ``OCIChatCompletionsModel``. What it shares
with the OCI native codecs (tool-call arguments and assembly, stop reasons, usage,
stream accumulation, shape checks) lives in ``locus.models._wire``.
"""

from locus.models._openai.codec import OpenAIChatCodec
from locus.models._openai.decode import decode_openai_chat
from locus.models._openai.encode import encode_openai_chat
from locus.models._openai.stream import OpenAIStreamDecoder

__all__ = ["OpenAIChatCodec", "OpenAIStreamDecoder", "decode_openai_chat", "encode_openai_chat"]
