"""get_model / register_provider / list_providers: routing by prefix and clear errors."""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import Any

import pytest

from locus.core.errors import ConfigurationError
from locus.core.model import Model
from locus.models import get_model, list_providers, register_provider
from locus.testing import FunctionModel, ScriptedModel


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_model(model_id: str, *, temperature: float = 0.0, max_tokens: int = 10) -> Model:
    """A factory with explicit keyword arguments (so the registry can check names)."""
    return FunctionModel(lambda m, t: f"{model_id} {temperature} {max_tokens}", model_id=model_id)


def test_builtin_providers_are_listed() -> None:
    assert {"mock", "oci", "openai-compatible"} <= set(list_providers())
    assert list_providers() == sorted(list_providers())


def test_mock_provider() -> None:
    echo = get_model("mock:echo")
    assert isinstance(echo, FunctionModel) and echo.model_id == "echo"
    scripted = get_model("mock:demo", turns=["hi"])
    assert isinstance(scripted, ScriptedModel) and scripted.turns[0].text == "hi"


def test_model_id_keeps_everything_after_the_first_colon() -> None:
    name = unique("p")
    register_provider(name, make_model)
    model = get_model(f"{name}:org/model:v1")
    assert model.model_id == "org/model:v1"


@pytest.mark.parametrize("bad", ["cohere.command-r", ":model", "mock:", ""])
def test_missing_prefix_or_id(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="provider prefix") as info:
        get_model(bad)
    assert "known providers: " in str(info.value) and "mock" in str(info.value)


def test_non_string_model() -> None:
    with pytest.raises(ConfigurationError, match="provider:model-id"):
        get_model(42)  # type: ignore[arg-type]


def test_unknown_provider_lists_known_ones_and_suggests() -> None:
    with pytest.raises(ConfigurationError) as info:
        get_model("ocii:cohere.command-r")
    text = str(info.value)
    assert "unknown model provider 'ocii'" in text
    assert "did you mean 'oci'?" in text
    assert "mock" in text and "openai-compatible" in text


def test_unknown_kwargs_say_which_and_suggest_the_closest() -> None:
    name = unique("p")
    register_provider(name, make_model)
    with pytest.raises(ConfigurationError) as info:
        get_model(f"{name}:m", temprature=0.2, colour="red")
    text = str(info.value)
    assert "'temprature' (did you mean 'temperature'?)" in text
    assert "'colour'" in text
    assert "valid ones are: temperature, max_tokens" in text


def test_known_kwargs_reach_the_factory() -> None:
    name = unique("p")
    register_provider(name, make_model)
    model = get_model(f"{name}:m", temperature=0.5)
    assert isinstance(model, FunctionModel)
    assert model.fn([], []) == "m 0.5 10"


def test_factories_taking_var_kwargs_check_their_own() -> None:
    seen: dict[str, Any] = {}

    def permissive(model_id: str, **kwargs: Any) -> Model:
        seen.update(kwargs)
        return ScriptedModel([], model_id=model_id)

    name = unique("p")
    register_provider(name, permissive)
    get_model(f"{name}:m", anything=1)
    assert seen == {"anything": 1}


def test_register_by_dotted_path_is_lazy() -> None:
    name = unique("p")
    register_provider(name, "locus.testing:create_model")
    assert get_model(f"{name}:echo").model_id == "echo"


def test_provider_that_cannot_be_imported() -> None:
    name = unique("p")
    register_provider(name, "locus.no_such_module:create_model")
    with pytest.raises(ConfigurationError, match="could not be loaded"):
        get_model(f"{name}:m")


def test_register_errors_and_replace() -> None:
    name = unique("p")
    register_provider(name, make_model)
    with pytest.raises(ConfigurationError, match="already registered"):
        register_provider(name, make_model)
    register_provider(name, "locus.testing:create_model", replace=True)
    assert get_model(f"{name}:echo").model_id == "echo"
    with pytest.raises(ConfigurationError):
        register_provider("a:b", make_model)
    with pytest.raises(ConfigurationError):
        register_provider(unique("p"), "no_colon_path")
    with pytest.raises(ConfigurationError):
        register_provider(unique("p"), 42)  # type: ignore[arg-type]


def test_importing_models_imports_no_provider() -> None:
    code = (
        "import sys, locus.models; "
        "print(sorted(m for m in sys.modules if m.startswith(('locus.testing', "
        "'locus.models.providers', 'locus.models.openai_compatible', 'oci'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "[]"
