"""What the model side loads: each feature's modules when the feature is first used.

Every check runs a fresh interpreter and reads ``sys.modules`` afterwards. Importing
``OCIModel`` (the seed notebook's import lines) loads neither the httpx backend's
httpcore paths, nor the OpenAI-compatible codec, embeddings, rerank, the text tool-call
parser or the auth flows other than the API key's; building or calling a model loads
what that model uses. No timing is asserted.
"""

from __future__ import annotations

import pytest

from locus.emulator import Emulator
from tests.fresh import modules_after

_FEATURES = {
    "httpcore": ("httpcore", "h11", "locus.models.http._httpcore_transport"),
    "text tool calls": ("locus.toolcalls", "locus.models.http._textcalls"),
    "chat completions": (
        "locus.models._openai",
        "locus.models.http._bearer",
        "locus.models.providers.oci._chat_completions",
    ),
    "embeddings and rerank": (
        "locus.models.providers.oci._actions",
        "locus.models.providers.oci._batching",
        "locus.models.providers.oci._embeddings",
        "locus.models.providers.oci._rerank",
    ),
    "other auth flows": (
        "locus.models.providers.oci._session_token_auth",
        "locus.models.providers.oci.principals",
        "locus.models.providers.oci.token",
    ),
}
_ALL = tuple(name for names in _FEATURES.values() for name in names)

SEED = (
    "from locus.agent import Agent\n"
    "from locus.models import get_model\n"
    "from locus.models.providers.oci import OCIAuthType, OCIModel\n"
    "from locus.core.messages import Message\n"
)
DAC = "ocid1.generativeaiendpoint.oc1.us-chicago-1.amaaaaaaexample"
ON_DEMAND = "meta.llama-3.3-70b-instruct"
_OFFLINE = "compartment_id='ocid1.compartment.oc1..x', auth_type='API_KEY', region='us-chicago-1'"


def _features_loaded(program: str) -> set[str]:
    """The features of ``_FEATURES`` any of whose modules ``program`` left loaded."""
    loaded = modules_after(program, _ALL)
    return {feature for feature, names in _FEATURES.items() if loaded & set(names)}


@pytest.mark.parametrize(
    "program",
    [
        "from locus.models.providers.oci import OCIModel",
        SEED,
        "import locus.models.providers.oci as oci\noci.OCIAuthType, oci.ApiFormat",
        "from locus.models.http import HTTPChatModel, ModelOptions, RetryPolicy",
        "from locus.models import get_model",
    ],
)
def test_importing_the_model_side_loads_no_feature(program: str) -> None:
    assert _features_loaded(program) == set()


def test_an_on_demand_model_parses_no_text_tool_calls() -> None:
    program = f"{SEED}OCIModel({ON_DEMAND!r}, {_OFFLINE})"
    assert _features_loaded(program) == set()


def test_a_dac_model_loads_the_parser_when_built() -> None:
    """A DAC endpoint parses text tool calls by default (``tool_call_format="auto"``)."""
    program = f"{SEED}OCIModel({DAC!r}, {_OFFLINE})"
    assert _features_loaded(program) == {"text tool calls"}
    off = f"{SEED}OCIModel({DAC!r}, tool_call_format=None, {_OFFLINE})"
    assert _features_loaded(off) == set()


@pytest.mark.parametrize(
    ("program", "feature"),
    [
        (
            "from locus.models.providers.oci import OCIChatCompletionsModel",
            "chat completions",
        ),
        ("from locus.models.providers.oci import OCIEmbeddingModel", "embeddings and rerank"),
        ("from locus.models.providers.oci import RankedDocument", "embeddings and rerank"),
        ("from locus.models.providers.oci import EmbeddingBatchError", "embeddings and rerank"),
        ("from locus.models.http._client import ModelClient\nModelClient()", "httpcore"),
    ],
)
def test_a_feature_loads_when_used(program: str, feature: str) -> None:
    assert feature in _features_loaded(program)


def _call(emu: Emulator, model_id: str, **options: str) -> str:
    """A program that builds an ``OCIModel`` on ``emu`` and makes one call, then streams."""
    given = {
        "compartment_id": emu.compartment_id,
        "profile_name": emu.profile,
        "config_file": emu.config_file,
        "service_endpoint": emu.service_endpoint,
        **options,
    }
    return (
        f"{SEED}import asyncio\n"
        "async def main():\n"
        f"    model = OCIModel({model_id!r}, auth_type=OCIAuthType.API_KEY, **{given!r})\n"
        "    response = await model.complete([Message.user('hi')])\n"
        "    assert response.message.content, response\n"
        "    async for _ in model.stream([Message.user('hi')]):\n"
        "        pass\n"
        "    await model.aclose()\n"
        "asyncio.run(main())"
    )


def test_a_call_on_the_aiohttp_backend_loads_no_httpcore(oci_emulator: Emulator) -> None:
    assert _features_loaded(_call(oci_emulator, ON_DEMAND)) == set()


def test_a_dac_call_loads_only_the_parser(oci_emulator: Emulator) -> None:
    dac = oci_emulator.endpoint("hermes")["ocid"]
    assert _features_loaded(_call(oci_emulator, dac)) == {"text tool calls"}


def test_the_httpx_backend_loads_httpcore_when_its_client_is_built(
    oci_emulator: Emulator,
) -> None:
    program = _call(oci_emulator, ON_DEMAND, http_backend="httpx")
    assert _features_loaded(program) == {"httpcore"}


def test_the_lazy_names_resolve() -> None:
    import locus.models.http as http
    import locus.models.providers.oci as oci
    from locus.models.http._chat import HTTPChatModel
    from locus.models.providers.oci._embeddings import OCIEmbeddingModel
    from locus.models.providers.oci._model import OCIModel
    from locus.models.providers.oci._rerank import RankedDocument

    assert oci.OCIModel is OCIModel
    assert oci.OCIEmbeddingModel is OCIEmbeddingModel
    assert oci.RankedDocument is RankedDocument
    assert http.HTTPChatModel is HTTPChatModel
    assert {"OCIModel", "OCIRerankModel", "create_model"} <= set(dir(oci))
    assert {"HTTPChatModel", "RetryPolicy"} <= set(dir(http))
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = oci.Nope
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = http.Nope
