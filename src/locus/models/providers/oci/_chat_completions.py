"""``OCIChatCompletionsModel``: OCI's OpenAI-compatible API (``/openai/v1/chat/completions``).

The ``OpenAIChatCodec`` over an ``OCIChatCompletionsConnection`` (OCI-signed, or a
Generative AI API key as a bearer token). A DAC endpoint OCID is refused: DEDICATED
serving mode exists only on the native API.
"""

from __future__ import annotations

from typing import ClassVar, Unpack

from locus.core._native_output import NativeOutputSupport, native_output_for
from locus.core.errors import ConfigurationError
from locus.models._openai import OpenAIChatCodec
from locus.models.http import ModelOptions
from locus.models.http._parsing import ParsingChatModel
from locus.models.http._settings import keyword_names
from locus.models.providers.oci._chat_completions_connection import (
    OCIChatCompletionsConnection,
)
from locus.models.providers.oci._connection import OCIConnectionOptions
from locus.models.providers.oci._ocid import is_endpoint_ocid

__all__ = ["OCIChatCompletionsModel", "OCIChatCompletionsOptions"]


class OCIChatCompletionsOptions(OCIConnectionOptions, ModelOptions, total=False):
    """``OCIChatCompletionsModel``'s keywords: its connection's, the shared ones, and
    ``api_key`` (else ``OCI_GENAI_API_KEY``; without either, calls are signed)."""

    api_key: str | None


class OCIChatCompletionsModel(ParsingChatModel):
    """An on-demand OCI model through the OpenAI-compatible API (e.g. ``xai.grok-4``)."""

    keywords: ClassVar[frozenset[str]] = keyword_names(OCIChatCompletionsOptions)
    connection: OCIChatCompletionsConnection

    def __init__(self, model_id: str, **options: Unpack[OCIChatCompletionsOptions]) -> None:
        if is_endpoint_ocid(model_id):
            raise ConfigurationError(
                f"{model_id} is a DAC endpoint OCID; the OpenAI-compatible API cannot reach "
                "dedicated endpoints: use OCIModel(model_id=...) or get_model('oci:<ocid>')"
            )
        model_id = model_id.strip()
        super().__init__(
            model_id,
            codec=OpenAIChatCodec(model_id, strict_output=_native(model_id) == "strict"),
            connection=OCIChatCompletionsConnection.from_options(options),
            options=options,
        )

    def __repr__(self) -> str:
        how = "api-key" if self.connection.uses_api_key else "signed"
        return (
            f"OCIChatCompletionsModel(model_id={self.model_id!r}, "
            f"region={self.connection.region!r}, auth={how})"
        )

    @property
    def native_output(self) -> NativeOutputSupport | None:
        """The native structured output of this model's family (``response_format`` with a
        JSON schema; see ``locus.core._native_output``)."""
        return _native(self.model_id)


def _native(model_id: str) -> NativeOutputSupport | None:
    """The family table, where Cohere's JSON_OBJECT is OpenAI's ``json_schema``."""
    support = native_output_for(model_id)
    return "json_schema" if support == "json_object" else support
