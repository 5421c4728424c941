"""``OpenAICompatibleModel``: any server speaking OpenAI chat completions (vLLM, Ollama,
llama.cpp, OpenAI). ``create_model`` serves ``get_model("openai-compatible:<model>",
base_url=...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Required, Unpack

from locus.core._native_output import NativeOutputSupport
from locus.core.errors import ConfigurationError
from locus.models._openai import OpenAIChatCodec
from locus.models.http._bearer import BearerConnection
from locus.models.http._parsing import ParsingChatModel
from locus.models.http._settings import ModelOptions, keyword_names

if TYPE_CHECKING:
    from locus.models.http._textcalls import ToolCallFormats

__all__ = ["OpenAICompatibleModel", "OpenAICompatibleOptions", "create_model"]


class OpenAICompatibleOptions(ModelOptions, total=False):
    """``OpenAICompatibleModel``'s keywords: ``base_url``, ``api_key`` and the shared ones."""

    base_url: Required[str]
    api_key: str | None


class OpenAICompatibleModel(ParsingChatModel):
    """``OpenAICompatibleModel(model_id, base_url="http://host/v1", api_key=None, ...)``.

    Posts to ``<base_url>/chat/completions``; ``api_key`` is sent as a bearer token.
    Shared options as in ``ModelOptions``. Text tool calls are parsed by default
    (``tool_call_format="auto"``): self-hosted servers (vLLM, Ollama, llama.cpp) often
    leave them in the text unless a tool parser is enabled.
    """

    keywords: ClassVar[frozenset[str]] = keyword_names(OpenAICompatibleOptions)
    default_tool_call_format: ToolCallFormats = "auto"
    connection: BearerConnection

    def __init__(self, model_id: str, **options: Unpack[OpenAICompatibleOptions]) -> None:
        super().__init__(
            model_id,
            codec=OpenAIChatCodec(model_id),
            connection=BearerConnection(options["base_url"], options.get("api_key")),
            options=options,
        )

    def __repr__(self) -> str:
        return f"OpenAICompatibleModel(model_id={self.model_id!r}, base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        """The server's API root, e.g. ``http://localhost:8000/v1``."""
        return self.connection.base_url

    @property
    def native_output(self) -> NativeOutputSupport | None:
        """``"json_schema"``: the OpenAI API's ``response_format`` (vLLM, llama.cpp, Ollama
        and OpenAI honour it), not sent strict unless the format says so."""
        return "json_schema"


def create_model(model_id: str, **kwargs: Any) -> OpenAICompatibleModel:
    """``get_model("openai-compatible:<model>", base_url=..., api_key=...)``."""
    if "base_url" not in kwargs:
        raise ConfigurationError(
            "openai-compatible models need base_url=..., e.g. base_url='http://localhost:8000/v1'"
        )
    return OpenAICompatibleModel(model_id, **kwargs)
