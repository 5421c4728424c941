"""Who the client is: ``OCIAuthType`` and the ``httpx.Auth`` flow built for it.

API keys and session tokens use our own signer (``_api_key_auth``,
``_session_token_auth``); principals use the ``oci`` SDK's signers (``principals``); a
Generative AI API key is a bearer token (OpenAI-compatible API only). Keys are loaded
once, when the flow is built; after a 401 an API key's profile and key file are read
again, to follow a rotated key. The session-token, principal and bearer flows are imported
when one is built: an API key's model does not load them.
"""

from __future__ import annotations

import enum
import functools
import os
from typing import TYPE_CHECKING

import httpx

from locus.core.errors import ConfigurationError, CredentialsError
from locus.models.providers.oci._api_key_auth import ApiKey, ApiKeyAuth
from locus.models.providers.oci._key_cache import cached_private_key
from locus.models.providers.oci.config import load_profile
from locus.models.providers.oci.signer import key_fingerprint

if TYPE_CHECKING:
    from locus.models.http._bearer import BearerAuth
    from locus.models.providers.oci._session_token_auth import SessionTokenAuth
    from locus.models.providers.oci.config import OCIProfile

__all__ = ["OCIAuthType", "build_auth", "default_auth_type", "parse_auth_type"]


class OCIAuthType(enum.StrEnum):
    """How requests are authenticated. ``SESSION_TOKEN`` is an alias of ``SECURITY_TOKEN``."""

    API_KEY = "API_KEY"
    SECURITY_TOKEN = "SECURITY_TOKEN"
    SESSION_TOKEN = "SECURITY_TOKEN"  # an alias, by Enum rules
    INSTANCE_PRINCIPAL = "INSTANCE_PRINCIPAL"
    RESOURCE_PRINCIPAL = "RESOURCE_PRINCIPAL"
    WORKLOAD_IDENTITY = "WORKLOAD_IDENTITY"
    GENAI_API_KEY = "GENAI_API_KEY"

    @property
    def uses_profile(self) -> bool:
        """True for the modes that read the OCI config file."""
        return self in (OCIAuthType.API_KEY, OCIAuthType.SECURITY_TOKEN)

    @property
    def is_principal(self) -> bool:
        """True for the modes whose tokens the ``oci`` SDK federates."""
        return self in _PRINCIPALS


_PRINCIPALS = frozenset(
    {
        OCIAuthType.INSTANCE_PRINCIPAL,
        OCIAuthType.RESOURCE_PRINCIPAL,
        OCIAuthType.WORKLOAD_IDENTITY,
    }
)
_ALIASES = {
    "SESSION_TOKEN": "SECURITY_TOKEN",
    "INSTANCE_PRINCIPALS": "INSTANCE_PRINCIPAL",
    "RESOURCE_PRINCIPALS": "RESOURCE_PRINCIPAL",
    "OKE_WORKLOAD_IDENTITY": "WORKLOAD_IDENTITY",
    "BEARER": "GENAI_API_KEY",
    "GENERATIVE_AI_API_KEY": "GENAI_API_KEY",
}
_ONLY = {"GENAI_API_KEY": "OpenAI-compatible API only"}


def _valid() -> str:
    """The values ``parse_auth_type`` takes, each with its aliases (from ``_ALIASES``)."""
    said = []
    for member in OCIAuthType:
        notes = [a for a, target in _ALIASES.items() if target == member.value]
        notes = [("alias " if len(notes) == 1 else "aliases ") + ", ".join(notes)] if notes else []
        notes += [_ONLY[member.value]] if member.value in _ONLY else []
        said.append(f"{member.value} ({'; '.join(notes)})" if notes else member.value)
    return ", ".join(said)


_VALID = _valid()
GENAI_API_KEY_ENV = "OCI_GENAI_API_KEY"


def parse_auth_type(value: str | OCIAuthType | None) -> OCIAuthType | None:
    """An ``OCIAuthType`` from an enum, a string in any case, or ``OCI_AUTH_TYPE``."""
    if isinstance(value, OCIAuthType):
        return value
    raw = value if value is not None else os.environ.get("OCI_AUTH_TYPE")
    if raw is None or not raw.strip():
        return None
    key = raw.strip().upper().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    try:
        return OCIAuthType(key)
    except ValueError:
        raise ConfigurationError(f"unknown auth_type {raw!r}; valid values: {_VALID}") from None


def default_auth_type(profile: OCIProfile) -> OCIAuthType:
    """SECURITY_TOKEN for a session profile (``security_token_file``), else API_KEY."""
    return OCIAuthType.SECURITY_TOKEN if profile.security_token_file else OCIAuthType.API_KEY


def build_auth(auth_type: OCIAuthType, profile: OCIProfile | None) -> httpx.Auth:
    """The signing flow for ``auth_type``; profile modes need ``profile``."""
    if auth_type is OCIAuthType.GENAI_API_KEY:
        return _bearer_auth()
    if auth_type.is_principal:
        from locus.models.providers.oci.principals import PrincipalAuth, principal_signer

        kind = auth_type.value.lower()
        return PrincipalAuth(principal_signer(kind), kind=kind)
    if profile is None:
        raise CredentialsError(f"auth_type {auth_type} needs an OCI config profile")
    if auth_type is OCIAuthType.SECURITY_TOKEN:
        return _session_auth(profile)
    return _api_key_auth(profile)


def _bearer_auth() -> BearerAuth:
    from locus.models.http._bearer import BearerAuth

    key = os.environ.get(GENAI_API_KEY_ENV, "").strip()
    if not key:
        raise CredentialsError(
            f"auth_type GENAI_API_KEY needs a Generative AI API key: pass api_key=... to "
            f"OCIChatCompletionsModel or set {GENAI_API_KEY_ENV}"
        )
    return BearerAuth(key)


def _api_key_auth(profile: OCIProfile) -> ApiKeyAuth:
    loaded = _api_key(profile)
    return ApiKeyAuth(
        loaded.key_id,
        loaded.private_key,
        fingerprint_mismatch=loaded.mismatch,
        reload=functools.partial(_reload_api_key, profile.path, profile.name),
        profile=profile.name,
    )


def _api_key(profile: OCIProfile) -> ApiKey:
    """The key id and key ``profile`` names (the key file read, parsed once per content)."""
    if not profile.user and profile.security_token_file:
        raise CredentialsError(
            f"profile [{profile.name}] is a session-token profile (it has security_token_file "
            "and no user): use auth_type=OCIAuthType.SECURITY_TOKEN"
        )
    user, tenancy = profile.require("user"), profile.require("tenancy")
    fingerprint = profile.require("fingerprint")
    key = cached_private_key(profile.expand(profile.require("key_file")), profile.pass_phrase)
    actual = key_fingerprint(key)
    return ApiKey(f"{tenancy}/{user}/{fingerprint}", key, actual, _mismatch(fingerprint, actual))


def _reload_api_key(config_file: str, profile_name: str) -> ApiKey:
    """``_api_key`` of the profile as its file says now (a rotated key is seen)."""
    return _api_key(load_profile(config_file, profile_name))


def _session_auth(profile: OCIProfile) -> SessionTokenAuth:
    from locus.models.providers.oci._session_token_auth import SessionTokenAuth

    key = cached_private_key(profile.expand(profile.require("key_file")), profile.pass_phrase)
    token_file = profile.expand(profile.require("security_token_file"))
    return SessionTokenAuth(token_file, key, profile=profile.name)


def _mismatch(configured: str, actual: str) -> str | None:
    if configured.strip().lower() == actual:
        return None
    return f"the profile's fingerprint {configured} does not match its key_file ({actual})"
