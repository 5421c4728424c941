"""Routing, construction checks and lazy loading of the OCI model classes (no HTTP)."""

from __future__ import annotations

from pathlib import Path

import pytest

from locus.core.errors import ConfigurationError, CredentialsError
from locus.models.openai_compatible import OpenAICompatibleModel
from locus.models.openai_compatible import create_model as create_openai
from locus.models.providers.oci import (
    ApiFormat,
    OCIAuthType,
    OCIChatCompletionsModel,
    OCIModel,
    create_model,
)
from locus.models.providers.oci._routing import ModelClass, route

from .conftest import TENANCY

DAC = "ocid1.generativeaiendpoint.oc1.uk-london-1.amaaaaaaexampleendpointid"
LONDON = "https://inference.generativeai.uk-london-1.oci.oraclecloud.com"


@pytest.mark.parametrize(
    ("model_id", "model_class", "dedicated"),
    [
        (DAC, ModelClass.NATIVE, True),
        (DAC.upper(), ModelClass.NATIVE, True),
        ("cohere.command-r-plus-08-2024", ModelClass.NATIVE, False),
        ("cohere.command-r-08-2024", ModelClass.NATIVE, False),
        ("cohere.command-a-03-2025", ModelClass.NATIVE, False),
        ("COHERE.command-a-vision", ModelClass.NATIVE, False),
        ("meta.llama-3.3-70b-instruct", ModelClass.CHAT_COMPLETIONS, False),
        ("xai.grok-4", ModelClass.CHAT_COMPLETIONS, False),
        ("ocid1.generativeaimodel.oc1.us-chicago-1.abc", ModelClass.CHAT_COMPLETIONS, False),
    ],
)
def test_routing_table(model_id: str, model_class: ModelClass, dedicated: bool) -> None:
    assert route(model_id).model_class is model_class
    assert route(model_id).dedicated is dedicated
    place = {} if dedicated else {"region": "us-chicago-1"}
    model = create_model(model_id, compartment_id="c", **place)
    assert type(model).__name__ == model_class.value


def test_dac_serving_mode_and_format_from_the_same_rule() -> None:
    model = OCIModel(model_id=DAC, compartment_id="c")
    assert model.dedicated and model.api_format is ApiFormat.GENERIC
    assert model.codec.serving_mode == {"servingType": "DEDICATED", "endpointId": DAC}
    assert model.tool_call_format == "auto"


def test_on_demand_format_follows_the_family() -> None:
    cohere = OCIModel("cohere.command-r-plus-08-2024", region="us-chicago-1")
    assert cohere.api_format is ApiFormat.COHERE and not cohere.dedicated
    assert cohere.tool_call_format is None
    llama = OCIModel("meta.llama-3.3-70b-instruct", region="us-chicago-1", api_format="cohere_v2")
    assert llama.api_format is ApiFormat.COHEREV2


def test_dac_region_and_endpoint_come_from_the_ocid() -> None:
    model = OCIModel(model_id=DAC)
    assert model.connection.region == "uk-london-1"
    assert model.endpoint == f"{LONDON}/20231130/actions/chat"


def test_explicit_endpoint_in_the_ocid_region_is_accepted() -> None:
    model = OCIModel(model_id=DAC, service_endpoint=LONDON + "/20231130/")
    assert model.connection.service_endpoint == LONDON


def test_endpoint_in_another_region_is_refused_naming_both() -> None:
    chicago = "https://inference.generativeai.us-chicago-1.oci.oraclecloud.com"
    with pytest.raises(ConfigurationError, match=r"us-chicago-1.*uk-london-1"):
        OCIModel(model_id=DAC, service_endpoint=chicago)
    with pytest.raises(ConfigurationError, match=r"us-chicago-1.*uk-london-1"):
        OCIModel(model_id=DAC, region="us-chicago-1")


def test_endpoint_in_the_ocid_region_but_another_realm_is_refused() -> None:
    """A government-cloud OCID's host is under oraclegovcloud.com, not oraclecloud.com
    (which would fail later, at DNS or TLS)."""
    langley = "ocid1.generativeaiendpoint.oc2.us-langley-1.amaaaaaaexampleendpointid"
    commercial = "https://inference.generativeai.us-langley-1.oci.oraclecloud.com"
    with pytest.raises(ConfigurationError) as info:
        OCIModel(model_id=langley, service_endpoint=commercial)
    assert "'oraclecloud.com'" in str(info.value) and "'oraclegovcloud.com'" in str(info.value)
    assert "https://inference.generativeai.us-langley-1.oci.oraclegovcloud.com" in str(info.value)
    government = "https://inference.generativeai.us-langley-1.oci.oraclegovcloud.com"
    model = OCIModel(model_id=langley, service_endpoint=government)
    assert model.connection.service_endpoint == government
    assert OCIModel(model_id=langley).connection.service_endpoint == government


def test_loopback_endpoint_is_not_another_region() -> None:
    model = OCIModel(model_id=DAC, service_endpoint="http://127.0.0.1:8443")
    assert model.endpoint == "http://127.0.0.1:8443/20231130/actions/chat"


def test_endpoint_with_a_path_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="no path"):
        OCIModel(model_id=DAC, service_endpoint=LONDON + "/other")


def test_unknown_keyword_names_it_and_suggests() -> None:
    with pytest.raises(ConfigurationError, match=r"'max_token' \(did you mean 'max_tokens'\?\)"):
        OCIModel(model_id=DAC, max_token=5)  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match=r"did you mean 'compartment_id'"):
        create_model(DAC, compartement_id="c")


async def test_unknown_call_override_is_refused() -> None:
    model = OCIModel(model_id=DAC, compartment_id="c", service_endpoint="http://127.0.0.1:1")
    with pytest.raises(ConfigurationError, match="did you mean 'temperature'"):
        await model.complete([], temprature=0.1)


def test_auth_type_strings_and_errors() -> None:
    assert OCIModel(DAC, auth_type="session_token").connection.auth_type is (
        OCIAuthType.SECURITY_TOKEN
    )
    assert OCIAuthType["SESSION_TOKEN"] is OCIAuthType["SECURITY_TOKEN"]
    assert OCIModel(DAC, auth_type="Instance-Principal").connection.auth_type is (
        OCIAuthType.INSTANCE_PRINCIPAL
    )
    with pytest.raises(ConfigurationError, match="API_KEY, SECURITY_TOKEN"):
        OCIModel(DAC, auth_type="password")


def test_auth_type_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCI_AUTH_TYPE", "resource_principal")
    assert OCIModel(DAC).connection.auth_type is OCIAuthType.RESOURCE_PRINCIPAL


def test_compartment_fallbacks(oci_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = OCIModel(DAC, config_file=oci_dir / "config")
    model.connection.load()
    assert model.connection.compartment_id == TENANCY
    monkeypatch.setenv("OCI_COMPARTMENT_ID", "ocid1.compartment.oc1..env")
    assert model.connection.compartment_id == "ocid1.compartment.oc1..env"
    explicit = OCIModel(DAC, compartment_id="ocid1.compartment.oc1..given")
    assert explicit.connection.compartment_id == "ocid1.compartment.oc1..given"


def test_no_compartment_is_a_clear_error(tmp_path: Path) -> None:
    model = OCIModel(DAC)
    with pytest.raises(ConfigurationError, match=r"compartment_id=.*OCI_COMPARTMENT_ID"):
        _ = model.connection.compartment_id


def test_on_demand_region_from_profile(oci_dir: Path) -> None:
    model = OCIModel("cohere.command-r-plus-08-2024", config_file=oci_dir / "config")
    model.connection.load()
    assert model.endpoint.startswith("https://inference.generativeai.us-chicago-1.")


def test_explicit_endpoint_still_knows_its_region(oci_dir: Path) -> None:
    """Named in errors and repr: from the endpoint's host, else the profile's."""
    on_demand = "cohere.command-r-plus-08-2024"
    london = OCIModel(on_demand, config_file=oci_dir / "config", service_endpoint=LONDON)
    london.connection.load()
    assert london.connection.region == "uk-london-1"
    local = OCIModel(on_demand, config_file=oci_dir / "config", service_endpoint="http://[::1]:9")
    local.connection.load()
    assert local.connection.region == "us-chicago-1" and "us-chicago-1" in repr(local)


def test_a_malformed_profile_region_does_not_block_an_explicit_endpoint(
    oci_dir: Path,
) -> None:
    config = oci_dir / "config"
    config.write_text(config.read_text().replace("region=us-chicago-1", "region=not a region"))
    model = OCIModel(
        "cohere.command-r-plus-08-2024", config_file=config, service_endpoint="http://[::1]:9"
    )
    model.connection.load()
    assert model.connection.region is None


def test_credentials_are_loaded_lazily(tmp_path: Path) -> None:
    model = OCIModel(DAC, config_file=tmp_path / "missing", compartment_id="c")
    with pytest.raises(CredentialsError, match="config file not found"):
        model.connection.load()


def test_session_profile_with_api_key_auth_says_what_to_do(oci_dir: Path) -> None:
    model = OCIModel(
        DAC, config_file=oci_dir / "config", profile_name="SESSION", auth_type=OCIAuthType.API_KEY
    )
    with pytest.raises(CredentialsError, match=r"auth_type=OCIAuthType\.SECURITY_TOKEN"):
        model.connection.load()


def test_session_profile_defaults_to_security_token(oci_dir: Path) -> None:
    model = OCIModel(DAC, config_file=oci_dir / "config", profile_name="SESSION")
    model.connection.load()
    assert model.connection.auth_type is OCIAuthType.SECURITY_TOKEN


def test_chat_completions_refuses_a_dac_ocid() -> None:
    with pytest.raises(ConfigurationError, match="OCIModel"):
        OCIChatCompletionsModel(DAC)


def test_chat_completions_endpoint() -> None:
    model = OCIChatCompletionsModel("xai.grok-4", region="ord", api_key="k")
    model.connection.load()
    assert model.endpoint == (
        "https://inference.generativeai.us-chicago-1.oci.oraclecloud.com/openai/v1/chat/completions"
    )
    assert "opc-compartment-id" not in model.connection.headers(stream=False)


def test_openai_compatible_factory() -> None:
    model = create_openai("qwen3", base_url="http://localhost:8000/v1/")
    assert isinstance(model, OpenAICompatibleModel)
    assert model.endpoint == "http://localhost:8000/v1/chat/completions"
    with pytest.raises(ConfigurationError, match="base_url"):
        create_openai("qwen3")


def test_empty_model_id() -> None:
    with pytest.raises(ConfigurationError, match="model_id is empty"):
        OCIModel(model_id=" ")
