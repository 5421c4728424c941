"""``OCIChatCompletionsModel``: OCI's OpenAI-compatible API (``/openai/v1/chat/completions``).

On the same regional host as the native API; OCI-signed (with ``opc-compartment-id``
and the legacy ``CompartmentId`` header) or, with ``api_key=`` / ``OCI_GENAI_API_KEY``,
a Generative AI API key sent as a bearer token. ``Accept-Encoding`` is forced to
``gzip, deflate`` (the service answers zstd when offered it; wire-spec §1.2). A DAC
endpoint OCID is refused: DEDICATED serving mode exists only on the native API.
"""

from __future__ import annotations

import os
from typing import Unpack

import httpx

from locus.core.errors import APIStatusError, ConfigurationError
from locus.models.http.bearer import BearerAuth
from locus.models.http.errors import ErrorDetails
from locus.models.http.settings import DEFAULT_FORMAT, ModelOptions, settings_from_options
from locus.models.openai_compatible import OpenAIChatModelBase
from locus.models.providers.oci._ids import new_request_id
from locus.models.providers.oci.auth import OCIAuthType
from locus.models.providers.oci.connection import OCIConnection
from locus.models.providers.oci.errors import ErrorContext, oci_error
from locus.models.providers.oci.ocid import is_endpoint_ocid
from locus.models.providers.oci.principals import PrincipalAuth
from locus.models.providers.oci.signing_auth import OCISigningAuth

__all__ = ["OCIChatCompletionsModel"]

_EXPLICIT = (
    "model_id",
    "compartment_id",
    "profile_name",
    "config_file",
    "auth_type",
    "service_endpoint",
    "region",
    "api_key",
)


class OCIChatCompletionsModel(OpenAIChatModelBase):
    """An on-demand OCI model through the OpenAI-compatible API (e.g. ``xai.grok-4``)."""

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
        api_key: str | None = None,
        **options: Unpack[ModelOptions],
    ) -> None:
        if is_endpoint_ocid(model_id):
            raise ConfigurationError(
                f"{model_id} is a DAC endpoint OCID; the OpenAI-compatible API cannot reach "
                "dedicated endpoints: use OCIModel(model_id=...) or get_model('oci:<ocid>')"
            )
        settings = settings_from_options("OCIChatCompletionsModel", options, _EXPLICIT)
        fmt = settings.tool_call_format
        super().__init__(
            model_id=model_id.strip(),
            settings=settings,
            tool_call_format=None if fmt == DEFAULT_FORMAT else fmt,
        )
        key = api_key or os.environ.get("OCI_GENAI_API_KEY")
        self._bearer = BearerAuth(key) if key else None
        self.connection = OCIConnection(
            config_file=config_file,
            profile_name=profile_name,
            auth_type=auth_type,
            service_endpoint=service_endpoint,
            region=region,
            compartment_id=compartment_id,
            endpoint_ocid=None,
        )

    def __repr__(self) -> str:
        how = "api-key" if self._bearer else "signed"
        return (
            f"OCIChatCompletionsModel(model_id={self.model_id!r}, "
            f"region={self.connection.region!r}, auth={how})"
        )

    @property
    def endpoint(self) -> str:
        return f"{self.connection.service_endpoint}/openai/v1/chat/completions"

    def _close_credentials(self) -> None:
        self.connection.close()

    def _setup(self) -> None:
        self.connection.load(need_auth=self._bearer is None)

    def _auth(self) -> httpx.Auth | None:
        return self._bearer or self.connection.auth

    def _call_headers(self, *, stream: bool) -> dict[str, str]:
        headers = {
            "content-type": "application/json",
            "accept": "text/event-stream" if stream else "application/json",
            "accept-encoding": "gzip, deflate",
        }
        compartment = self._compartment(required=self._bearer is None)
        if compartment:
            headers["opc-compartment-id"] = compartment
            headers["CompartmentId"] = compartment
        return headers

    def _attempt_headers(self) -> dict[str, str]:
        return {"opc-request-id": new_request_id()}

    def _compartment(self, *, required: bool) -> str | None:
        try:
            return self.connection.compartment_id
        except ConfigurationError:
            if required:
                raise
            return None

    def _to_error(self, details: ErrorDetails) -> APIStatusError:
        auth = None if self._bearer else self.connection.auth
        diagnosis = auth.diagnosis if isinstance(auth, OCISigningAuth) else (lambda: None)
        context = ErrorContext(
            model_id=self.model_id,
            dedicated=False,
            region=self.connection.region,
            compartment_id=self._compartment(required=False),
            profile=self.connection.profile_name,
            diagnosis=diagnosis,
            principal=auth.kind if isinstance(auth, PrincipalAuth) else None,
        )
        return oci_error(details, endpoint=self.endpoint, context=context)
