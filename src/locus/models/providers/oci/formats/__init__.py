"""Pure wire codecs for the OCI native chat API: GENERIC, COHERE and COHEREV2.

No I/O here: dicts in, dicts out. ``encode_chat_details`` builds the request body,
``decode_chat_result`` reads a non-streamed answer and ``ChatStreamDecoder`` reads a
streamed one, event by event. Tool-call arguments that are not a JSON object are kept
under ``RAW_ARGUMENTS_KEY`` (see ``locus.models.openai_format.toolcalls``).
"""

from locus.models.openai_format.toolcalls import RAW_ARGUMENTS_KEY
from locus.models.providers.oci.formats.api_format import (
    ApiFormat,
    parse_api_format,
    serving_mode,
)
from locus.models.providers.oci.formats.chat import decode_chat_result, encode_chat_details
from locus.models.providers.oci.formats.schema import simplify_schema
from locus.models.providers.oci.formats.stream import ChatStreamDecoder

__all__ = [
    "RAW_ARGUMENTS_KEY",
    "ApiFormat",
    "ChatStreamDecoder",
    "decode_chat_result",
    "encode_chat_details",
    "parse_api_format",
    "serving_mode",
    "simplify_schema",
]
