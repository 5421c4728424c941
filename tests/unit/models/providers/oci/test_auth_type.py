"""``OCIAuthType``: members, aliases, any case, ``OCI_AUTH_TYPE``, errors listing values."""

from __future__ import annotations

import pytest

from locus.core.errors import ConfigurationError, CredentialsError
from locus.models.http._bearer import BearerAuth
from locus.models.providers.oci.auth import OCIAuthType, build_auth, parse_auth_type


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("api_key", OCIAuthType.API_KEY),
        ("Security_Token", OCIAuthType.SECURITY_TOKEN),
        ("session-token", OCIAuthType.SECURITY_TOKEN),
        ("instance_principals", OCIAuthType.INSTANCE_PRINCIPAL),
        ("resource principal", OCIAuthType.RESOURCE_PRINCIPAL),
        ("oke_workload_identity", OCIAuthType.WORKLOAD_IDENTITY),
        ("bearer", OCIAuthType.GENAI_API_KEY),
        (" GENAI_API_KEY ", OCIAuthType.GENAI_API_KEY),
    ],
)
def test_strings_in_any_case_and_aliases(text: str, expected: OCIAuthType) -> None:
    assert parse_auth_type(text) is expected


def test_session_token_is_an_alias_member() -> None:
    assert OCIAuthType["SESSION_TOKEN"] is OCIAuthType["SECURITY_TOKEN"]
    assert parse_auth_type(OCIAuthType.SESSION_TOKEN) is OCIAuthType.SECURITY_TOKEN
    principals = [t for t in OCIAuthType if t.is_principal]
    assert principals == [
        OCIAuthType.INSTANCE_PRINCIPAL,
        OCIAuthType.RESOURCE_PRINCIPAL,
        OCIAuthType.WORKLOAD_IDENTITY,
    ]


def test_environment_variable_and_its_absence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCI_AUTH_TYPE", "instance_principal")
    assert parse_auth_type(None) is OCIAuthType.INSTANCE_PRINCIPAL
    assert parse_auth_type("api_key") is OCIAuthType.API_KEY, "an explicit value wins"
    monkeypatch.setenv("OCI_AUTH_TYPE", "  ")
    assert parse_auth_type(None) is None


def test_a_wrong_value_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_auth_type("kerberos")
    text = str(info.value)
    assert "'kerberos'" in text
    for member in ("API_KEY", "SECURITY_TOKEN", "SESSION_TOKEN", "INSTANCE_PRINCIPAL"):
        assert member in text
    assert "RESOURCE_PRINCIPAL" in text and "WORKLOAD_IDENTITY" in text
    assert "GENAI_API_KEY" in text


def test_the_list_of_valid_values_names_every_alias() -> None:
    """The docs tell users to pass some aliases (OKE_WORKLOAD_IDENTITY, in serving.md)."""
    with pytest.raises(ConfigurationError) as info:
        parse_auth_type("principal")
    text = str(info.value)
    assert "SECURITY_TOKEN (alias SESSION_TOKEN)" in text
    assert "INSTANCE_PRINCIPAL (alias INSTANCE_PRINCIPALS)" in text
    assert "RESOURCE_PRINCIPAL (alias RESOURCE_PRINCIPALS)" in text
    assert "WORKLOAD_IDENTITY (alias OKE_WORKLOAD_IDENTITY)" in text
    assert "GENAI_API_KEY (aliases BEARER, GENERATIVE_AI_API_KEY; OpenAI-compatible" in text


def test_genai_api_key_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCI_GENAI_API_KEY", raising=False)
    with pytest.raises(CredentialsError, match="OCI_GENAI_API_KEY"):
        build_auth(OCIAuthType.GENAI_API_KEY, None)
    monkeypatch.setenv("OCI_GENAI_API_KEY", "sk-secret-value")
    auth = build_auth(OCIAuthType.GENAI_API_KEY, None)
    assert isinstance(auth, BearerAuth) and "sk-secret" not in repr(auth)
