"""``OpenAICompatibleModel``: any server speaking OpenAI chat completions (vLLM, Ollama,
llama.cpp, OpenAI). ``create_model`` serves ``get_model("openai-compatible:<model>",
base_url=...)``. ``OpenAIChatModelBase`` holds the codec hooks that
``OCIChatCompletionsModel`` shares.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Unpack

import httpx

from locus.core.errors import APIStatusError, ConfigurationError
from locus.core.messages import Message
from locus.core.params import GenerationParams
from locus.core.response import ModelResponse
from locus.core.toolspec import ToolSpec
from locus.models.http.bearer import BearerAuth
from locus.models.http.chat import HTTPChatModel, StreamDecoder
from locus.models.http.errors import ErrorDetails, status_error
from locus.models.http.settings import DEFAULT_FORMAT, ModelOptions, settings_from_options
from locus.models.openai_format import OpenAIStreamDecoder, decode_openai_chat, encode_openai_chat

__all__ = ["OpenAIChatModelBase", "OpenAICompatibleModel", "create_model"]


class OpenAIChatModelBase(HTTPChatModel):
    """The OpenAI chat-completions mapping as ``HTTPChatModel`` hooks."""

    def _encode(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        params: GenerationParams,
        *,
        stream: bool,
    ) -> dict[str, Any]:
        return encode_openai_chat(
            model=self.model_id, messages=messages, tools=tools, params=params, stream=stream
        )

    def _decode(self, body: Mapping[str, Any], request_id: str | None) -> ModelResponse:
        return decode_openai_chat(body, request_id=request_id)

    def _stream_decoder(self, request_id: str | None) -> StreamDecoder:
        return OpenAIStreamDecoder(model_id=self.model_id, request_id=request_id)


class OpenAICompatibleModel(OpenAIChatModelBase):
    """``OpenAICompatibleModel(model_id, base_url="http://host/v1", api_key=None, ...)``.

    Posts to ``<base_url>/chat/completions``; ``api_key`` is sent as a bearer token.
    Shared options as in ``locus.models.http.settings``. Text tool calls are parsed by
    default (``tool_call_format="auto"``): self-hosted servers (vLLM, Ollama, llama.cpp)
    often leave them in the text unless a tool parser is enabled.
    """

    def __init__(
        self,
        model_id: str,
        *,
        base_url: str,
        api_key: str | None = None,
        **options: Unpack[ModelOptions],
    ) -> None:
        settings = settings_from_options(
            "OpenAICompatibleModel", options, ("model_id", "base_url", "api_key")
        )
        fmt = settings.tool_call_format
        super().__init__(
            model_id=model_id,
            settings=settings,
            tool_call_format="auto" if fmt == DEFAULT_FORMAT else fmt,
        )
        self.base_url = _clean_base_url(base_url)
        self._bearer = BearerAuth(api_key) if api_key else None

    def __repr__(self) -> str:
        return f"OpenAICompatibleModel(model_id={self.model_id!r}, base_url={self.base_url!r})"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/chat/completions"

    def _auth(self) -> httpx.Auth | None:
        return self._bearer

    def _to_error(self, details: ErrorDetails) -> APIStatusError:
        hints = {
            401: "the server refused the credentials: check api_key",
            404: f"check base_url (usually ends in /v1) and the model name {self.model_id!r}",
        }
        return status_error(details, endpoint=self.endpoint, hint=hints.get(details.status))


def create_model(model_id: str, **kwargs: Any) -> OpenAICompatibleModel:
    """``get_model("openai-compatible:<model>", base_url=..., api_key=...)``."""
    if "base_url" not in kwargs:
        raise ConfigurationError(
            "openai-compatible models need base_url=..., e.g. base_url='http://localhost:8000/v1'"
        )
    return OpenAICompatibleModel(model_id, **kwargs)


def _clean_base_url(url: str) -> str:
    text = url.strip().rstrip("/")
    if not text.startswith(("http://", "https://")):
        raise ConfigurationError(f"base_url {url!r} is not an http(s) URL")
    return text.removesuffix("/chat/completions")
