"""``OCIConnection``: where one model's calls go on OCI and who signs them.

Where: region, service endpoint and compartment; who: the auth flow of ``auth_type``;
and what the native chat API wants around a body (headers, the hint of an error).
Pure checks run at construction (a DAC endpoint OCID in one region and an explicit
``service_endpoint`` in another is refused before any request). Files (config, keys)
are read once, on first use, by ``load()``. ``OCIChatCompletionsConnection`` is the
same place on the OpenAI-compatible API.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypedDict, cast

import httpx

from locus.core.errors import APIStatusError, ConfigurationError, CredentialsError
from locus.models.http._errors import ErrorDetails
from locus.models.http._settings import keyword_names
from locus.models.http._user_agent import CLIENT_INFO, user_agent
from locus.models.providers.oci._errors import ErrorContext, oci_error
from locus.models.providers.oci._ids import new_request_id, new_retry_token
from locus.models.providers.oci._ocid import Ocid
from locus.models.providers.oci._service_endpoint import clean_service_endpoint, pin_to_ocid
from locus.models.providers.oci._signing_auth import OCISigningAuth
from locus.models.providers.oci.auth import (
    OCIAuthType,
    build_auth,
    default_auth_type,
    parse_auth_type,
)
from locus.models.providers.oci.config import OCIProfile, load_profile, resolve_profile_name
from locus.models.providers.oci.regions import (
    inference_endpoint,
    normalise_region,
    region_of_endpoint,
)

if TYPE_CHECKING:  # (imported by build_auth, for the auth types that use it)
    from locus.models.providers.oci.principals import PrincipalAuth

__all__ = ["OCIConnection", "OCIConnectionOptions"]


class OCIConnectionOptions(TypedDict, total=False):
    """Where and who: the keyword options of an OCI model that its connection takes."""

    compartment_id: str | None
    profile_name: str | None
    config_file: str | os.PathLike[str] | None
    auth_type: OCIAuthType | str | None
    service_endpoint: str | None
    region: str | None


logger = logging.getLogger("locus.models.oci")

_TENANCY_AS_COMPARTMENT = (
    "no compartment_id was given (nor OCI_COMPARTMENT_ID), so the requests use the "
    "tenancy of profile [%s] as the compartment; pass compartment_id=... if the model "
    "or endpoint lives in another compartment"
)


class OCIConnection:
    """Region, service endpoint, compartment, auth flow and headers of one model."""

    option_names: ClassVar[frozenset[str]] = keyword_names(OCIConnectionOptions)

    def __init__(
        self,
        *,
        compartment_id: str | None = None,
        profile_name: str | None = None,
        config_file: str | os.PathLike[str] | None = None,
        auth_type: OCIAuthType | str | None = None,
        service_endpoint: str | None = None,
        region: str | None = None,
        endpoint_ocid: Ocid | None = None,
    ) -> None:
        self._config_file = config_file
        self.profile_name = resolve_profile_name(profile_name)
        self.auth_type = parse_auth_type(auth_type)
        self._compartment = compartment_id
        self._told_tenancy = False
        self.region = normalise_region(region) if region else None
        self._service_endpoint = (
            clean_service_endpoint(service_endpoint) if service_endpoint else None
        )
        self.profile: OCIProfile | None = None
        self._user_agent: str | None = None
        """With a profile's ``additional_user_agent``: the ``User-Agent`` that includes it."""
        self._auth: httpx.Auth | None = None
        self.dedicated = endpoint_ocid is not None
        if endpoint_ocid is not None:
            self.region, self._service_endpoint = pin_to_ocid(
                endpoint_ocid, self.region, self._service_endpoint
            )

    @classmethod
    def from_options(cls, options: Mapping[str, Any], **extra: Any) -> Self:
        """The connection a model's keyword options name (the other options are ignored)."""
        return cls(**{k: v for k, v in options.items() if k in cls.option_names}, **extra)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(region={self.region!r}, profile={self.profile_name!r})"

    @property
    def service_endpoint(self) -> str:
        """The base URL (``scheme://host``); known after ``load()`` unless given or derived."""
        if self._service_endpoint is None:
            raise ConfigurationError("the service endpoint is not known before load()")
        return self._service_endpoint

    @property
    def base_url(self) -> str:
        """Where the native API's paths start: the service endpoint."""
        return self.service_endpoint

    @property
    def auth(self) -> httpx.Auth:
        """The signing flow (after ``load()``)."""
        if self._auth is None:
            raise ConfigurationError("credentials are not loaded before load()")
        return self._auth

    @property
    def compartment_id(self) -> str | None:
        """``compartment_id=``, else ``OCI_COMPARTMENT_ID``, else the profile's tenancy."""
        value = self._known_compartment()
        if not value:
            raise ConfigurationError(
                "no compartment: pass compartment_id=..., set OCI_COMPARTMENT_ID, or use a "
                "profile that has a tenancy entry"
            )
        if self._tenancy_as_compartment() and not self._told_tenancy:
            self._told_tenancy = True  # once per model: each model has its connection
            logger.info(_TENANCY_AS_COMPARTMENT, self.profile_name)
        return value

    def headers(self, *, stream: bool) -> dict[str, str]:
        """The native API's headers: JSON or SSE back, one retry token for every attempt."""
        headers = {
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
            "accept-encoding": "gzip, deflate",
            "opc-retry-token": new_retry_token(),
            "opc-client-retries": "true",
            "opc-client-info": CLIENT_INFO,
        }
        if self._user_agent is not None:
            headers["user-agent"] = self._user_agent
        return headers

    def attempt_headers(self) -> dict[str, str]:
        """A fresh ``opc-request-id`` for each attempt."""
        return {"opc-request-id": new_request_id()}

    def error_context(
        self, model_id: str, api_format: str | None = None, subject: str | None = None
    ) -> ErrorContext:
        """What this connection knows that explains an error answer (no secrets)."""
        auth = self._auth
        principal = self._principal()
        return ErrorContext(
            model_id=model_id,
            dedicated=self.dedicated,
            region=self.region,
            compartment_id=self._known_compartment(),
            compartment_is_tenancy=self._tenancy_as_compartment(),
            profile=self.profile_name,
            api_format=api_format,
            diagnosis=auth.diagnosis if isinstance(auth, OCISigningAuth) else (lambda: None),
            principal=principal.kind if principal is not None else None,
            subject=subject,
        )

    def to_error(
        self,
        details: ErrorDetails,
        *,
        endpoint: str,
        model_id: str,
        api_format: str | None,
        subject: str | None = None,
    ) -> APIStatusError:
        """The typed error of an OCI error answer, with a hint when a cause is known."""
        context = self.error_context(model_id, api_format, subject)
        return oci_error(details, endpoint=endpoint, context=context)

    def close(self) -> None:
        """Close the HTTP sessions a principal's ``oci`` SDK signer keeps open."""
        principal = self._principal()
        if principal is not None:
            principal.close()

    def load(self, *, need_auth: bool = True) -> None:
        """Read the profile and key (once), then settle the region and endpoint.

        With ``need_auth=False`` (bearer API keys) the profile is read only when the
        region is not known otherwise.
        """
        if need_auth:
            self._load_auth()
        elif self._service_endpoint is None and not (self.region or os.environ.get("OCI_REGION")):
            self.profile = load_profile(self._config_file, self.profile_name)
        if self._service_endpoint is None:
            self._service_endpoint = inference_endpoint(self._settled_region())
        elif self.region is None:
            # not needed to reach the service, but named in errors and repr: the endpoint's
            # own host first (a private endpoint or loopback has none), then the others; a
            # malformed one is not worth failing for here
            with contextlib.suppress(ConfigurationError):
                self.region = region_of_endpoint(self._service_endpoint) or self._known_region()

    def _load_auth(self) -> None:
        auth_type = self.auth_type
        if auth_type is None or auth_type.uses_profile:
            self.profile = load_profile(self._config_file, self.profile_name)
            if self.profile.additional_user_agent:
                self._user_agent = user_agent(self.profile.additional_user_agent)
            auth_type = auth_type or default_auth_type(self.profile)
            self.auth_type = auth_type
        self._auth = build_auth(auth_type, self.profile)

    def _principal(self) -> PrincipalAuth | None:
        """The flow when a principal signs (``build_auth`` makes a ``PrincipalAuth`` for
        exactly the principal auth types), else ``None``."""
        auth_type = self.auth_type
        if self._auth is None or auth_type is None or not auth_type.is_principal:
            return None
        return cast("PrincipalAuth", self._auth)

    def _known_compartment(self) -> str | None:
        value = self._compartment or os.environ.get("OCI_COMPARTMENT_ID")
        if not value and self.profile is not None:
            value = self.profile.tenancy
        return value or None

    def _tenancy_as_compartment(self) -> bool:
        """Whether no compartment was given anywhere, so the profile's tenancy stands in."""
        given = self._compartment or os.environ.get("OCI_COMPARTMENT_ID")
        return not given and self.profile is not None and bool(self.profile.tenancy)

    def _known_region(self) -> str | None:
        """``region=``, else the profile's, the principal's or ``OCI_REGION`` (normalised)."""
        region = self.region
        if region is None and self.profile is not None and self.profile.region:
            region = self.profile.region
        principal = self._principal()
        if region is None and principal is not None:
            region = principal.region
        region = region or os.environ.get("OCI_REGION")
        return normalise_region(region) if region else None

    def _settled_region(self) -> str:
        region = self._known_region()
        if not region:
            raise CredentialsError(
                "no region: pass region=... or service_endpoint=..., set OCI_REGION, "
                f"or add region to profile [{self.profile_name}]"
            )
        self.region = region
        return region
