"""``OCIModel``: the native OCI chat API (``POST /20231130/actions/chat``).

Serves DAC endpoints (DEDICATED serving mode, by endpoint OCID) and on-demand models:
the ``OCIChatCodec`` of its ``api_format`` (GENERIC, COHERE, COHEREV2) over an
``OCIConnection``. A DAC endpoint OCID does not reveal its model family, so it defaults
to GENERIC; an on-demand ``cohere.*`` model defaults to COHERE. The serving mode comes
from ``_routing.route``.
"""

from __future__ import annotations

from typing import ClassVar, Unpack

from locus.core._native_output import NativeOutputSupport
from locus.models.http import ModelOptions
from locus.models.http._parsing import ParsingChatModel
from locus.models.http._settings import keyword_names
from locus.models.providers.oci._connection import OCIConnection, OCIConnectionOptions
from locus.models.providers.oci._formats import ApiFormat, OCIChatCodec
from locus.models.providers.oci._ocid import parse_ocid
from locus.models.providers.oci._routing import route

__all__ = ["OCIModel", "OCIModelOptions"]


class OCIModelOptions(OCIConnectionOptions, ModelOptions, total=False):
    """``OCIModel``'s keywords: its connection's, the shared ones, and ``api_format``."""

    api_format: ApiFormat | str | None


class OCIModel(ParsingChatModel):
    """A chat model on the OCI native API, signed with your OCI credentials.

    ``OCIModel(model_id=..., compartment_id=..., profile_name=..., auth_type=...,
    service_endpoint=..., max_tokens=...)``: ``OCIConnectionOptions`` name the place and
    credentials, ``ModelOptions`` the shared options (generation parameters, ``timeout``,
    retries, ``tool_call_format``...). Text tool calls are parsed by default on a DAC
    (``tool_call_format="auto"``), whose models often write them as text.
    """

    keywords: ClassVar[frozenset[str]] = keyword_names(OCIModelOptions)
    codec: OCIChatCodec
    connection: OCIConnection

    def __init__(self, model_id: str, **options: Unpack[OCIModelOptions]) -> None:
        self.dedicated = route(model_id).dedicated
        if self.dedicated:
            self.default_tool_call_format = "auto"
        model_id = model_id.strip()
        ocid = parse_ocid(model_id) if self.dedicated else None
        super().__init__(
            model_id,
            codec=OCIChatCodec(model_id, options.get("api_format"), dedicated=self.dedicated),
            connection=OCIConnection.from_options(options, endpoint_ocid=ocid),
            options=options,
        )

    def __repr__(self) -> str:
        mode = "DEDICATED" if self.dedicated else "ON_DEMAND"
        return (
            f"OCIModel(model_id={self.model_id!r}, serving_mode={mode}, "
            f"api_format={self.api_format.value}, region={self.connection.region!r})"
        )

    @property
    def api_format(self) -> ApiFormat:
        """The request format: GENERIC, COHERE or COHEREV2."""
        return self.codec.api_format

    @property
    def native_output(self) -> NativeOutputSupport | None:
        """The native structured output of this model's family (``None`` on a DAC, whose
        family is unknown); see ``locus.core._native_output``."""
        return self.codec.native_output
