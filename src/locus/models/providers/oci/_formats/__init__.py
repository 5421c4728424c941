"""Pure wire codecs for the OCI native chat API: GENERIC, COHERE and COHEREV2.

No I/O here: dicts in, dicts out. ``OCIChatCodec`` is the codec object a model uses;
under it, ``encode_chat_details`` builds the request body, ``decode_chat_result``
reads a non-streamed answer and ``ChatStreamDecoder`` reads a streamed one, event by
event. Tool-call arguments that are not a JSON object are kept in
``ToolCall.raw_arguments`` (see ``locus.models._wire.arguments``).
"""

from locus.models.providers.oci._formats.api_format import ApiFormat, parse_api_format, serving_mode
from locus.models.providers.oci._formats.chat import decode_chat_result, encode_chat_details
from locus.models.providers.oci._formats.codec import OCIChatCodec
from locus.models.providers.oci._formats.schema import simplify_schema
from locus.models.providers.oci._formats.stream import ChatStreamDecoder

__all__ = [
    "ApiFormat",
    "ChatStreamDecoder",
    "OCIChatCodec",
    "decode_chat_result",
    "encode_chat_details",
    "parse_api_format",
    "serving_mode",
    "simplify_schema",
]
