"""``OCIModel``: the native OCI chat API (``POST /20231130/actions/chat``).

Serves DAC endpoints (DEDICATED serving mode, by endpoint OCID) and on-demand models.
The request format is ``api_format`` (GENERIC, COHERE, COHEREV2): a DAC endpoint OCID
does not reveal its model family, so it defaults to GENERIC; an on-demand ``cohere.*``
model defaults to COHERE. The serving mode comes from ``routing.route``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Unpack

import httpx

from locus.core.errors import APIStatusError
from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec
from locus.models.http.chat import HTTPChatModel, StreamDecoder
from locus.models.http.errors import ErrorDetails
from locus.models.http.settings import DEFAULT_FORMAT, ModelOptions, settings_from_options
from locus.models.providers.oci._ids import new_request_id, new_retry_token
from locus.models.providers.oci.auth import OCIAuthType
from locus.models.providers.oci.connection import OCIConnection
from locus.models.providers.oci.errors import ErrorContext, oci_error
from locus.models.providers.oci.formats import (
    ApiFormat,
    ChatStreamDecoder,
    decode_chat_result,
    encode_chat_details,
    parse_api_format,
    serving_mode,
)
from locus.models.providers.oci.ocid import parse_ocid
from locus.models.providers.oci.principals import PrincipalAuth
from locus.models.providers.oci.routing import route
from locus.models.providers.oci.signing_auth import OCISigningAuth

__all__ = ["OCIModel"]

_EXPLICIT = (
    "model_id",
    "compartment_id",
    "profile_name",
    "config_file",
    "auth_type",
    "service_endpoint",
    "region",
    "api_format",
)


class OCIModel(HTTPChatModel):
    """A chat model on the OCI native API, signed with your OCI credentials.

    ``OCIModel(model_id=..., compartment_id=..., profile_name=..., auth_type=...,
    service_endpoint=..., max_tokens=...)``; see ``locus.models.http.settings`` for the
    shared options (generation parameters, ``timeout``, retries, ``tool_call_format``).
    """

    def __init__(
        self,
        model_id: str,
        *,
        compartment_id: str | None = None,
        profile_name: str | None = None,
        config_file: str | os.PathLike[str] | None = None,
        auth_type: OCIAuthType | str | None = None,
        service_endpoint: str | None = None,
        region: str | None = None,
        api_format: ApiFormat | str | None = None,
        **options: Unpack[ModelOptions],
    ) -> None:
        settings = settings_from_options("OCIModel", options, _EXPLICIT)
        self.dedicated = route(model_id).dedicated
        self.api_format = _api_format(model_id, api_format)
        fmt = settings.tool_call_format
        super().__init__(
            model_id=model_id.strip(),
            settings=settings,
            tool_call_format=("auto" if self.dedicated else None) if fmt == DEFAULT_FORMAT else fmt,
        )
        self.connection = OCIConnection(
            config_file=config_file,
            profile_name=profile_name,
            auth_type=auth_type,
            service_endpoint=service_endpoint,
            region=region,
            compartment_id=compartment_id,
            endpoint_ocid=parse_ocid(model_id) if self.dedicated else None,
        )
        self._serving_mode = serving_mode(self.model_id, dedicated=self.dedicated)

    def __repr__(self) -> str:
        mode = "DEDICATED" if self.dedicated else "ON_DEMAND"
        return (
            f"OCIModel(model_id={self.model_id!r}, serving_mode={mode}, "
            f"api_format={self.api_format.value}, region={self.connection.region!r})"
        )

    @property
    def endpoint(self) -> str:
        return f"{self.connection.service_endpoint}/20231130/actions/chat"

    def _close_credentials(self) -> None:
        self.connection.close()

    def _setup(self) -> None:
        self.connection.load()

    def _auth(self) -> httpx.Auth | None:
        return self.connection.auth

    def _call_headers(self, *, stream: bool) -> dict[str, str]:
        return {
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
            "accept-encoding": "gzip, deflate",
            "opc-retry-token": new_retry_token(),
            "opc-client-retries": "true",
        }

    def _attempt_headers(self) -> dict[str, str]:
        return {"opc-request-id": new_request_id()}

    def _encode(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        params: GenerationParams,
        *,
        stream: bool,
    ) -> dict[str, Any]:
        return encode_chat_details(
            compartment_id=self.connection.compartment_id,
            serving_mode=self._serving_mode,
            api_format=self.api_format,
            messages=messages,
            tools=tools,
            params=params,
            stream=stream,
        )

    def _decode(self, body: Mapping[str, Any], request_id: str | None) -> ModelResponse:
        return decode_chat_result(body, request_id=request_id)

    def _stream_decoder(self, request_id: str | None) -> StreamDecoder:
        return ChatStreamDecoder(self.api_format, model_id=self.model_id)

    def _to_error(self, details: ErrorDetails) -> APIStatusError:
        return oci_error(details, endpoint=self.endpoint, context=self._error_context())

    def _error_context(self) -> ErrorContext:
        auth = self.connection.auth
        diagnosis = auth.diagnosis if isinstance(auth, OCISigningAuth) else (lambda: None)
        return ErrorContext(
            model_id=self.model_id,
            dedicated=self.dedicated,
            region=self.connection.region,
            compartment_id=self.connection.compartment_id,
            profile=self.connection.profile_name,
            api_format=self.api_format.value,
            diagnosis=diagnosis,
            principal=auth.kind if isinstance(auth, PrincipalAuth) else None,
        )


def _api_format(model_id: str, given: ApiFormat | str | None) -> ApiFormat:
    if given is not None:
        return parse_api_format(given)
    if model_id.strip().lower().startswith("cohere."):
        return ApiFormat.COHERE
    return ApiFormat.GENERIC
