"""``OCIEmbeddingModel``: ``POST /20231130/actions/embedText``, batched and concurrent.

The service takes at most 96 inputs per call (OCI's ``EmbedTextDetails.inputs``: "a maximum
number of 96 entries"; each input at most 512 tokens on the Embed 3 models, and all inputs
of one call up to 128,000 tokens on Embed 4). ``embed()`` takes any number of texts, cuts
them into batches of ``batch_size`` (at most 96) inputs and ``max_batch_chars`` characters,
sends ``max_concurrency`` batches at a time, retries each failed batch by itself with the
model's retry policy, and returns the vectors in input order.

Vectors are ``array('f')`` (float32, 4 bytes per dimension: 1,000 vectors of 1,024
dimensions take 4 MiB, where lists of Python floats take about 32 MiB), the type vector
stores take as they are (``bytes(vector)`` is sqlite-vec's and pgvector's binary float32;
``numpy.frombuffer(vector, dtype=numpy.float32)`` is a view without a copy).
"""

from __future__ import annotations

import base64
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Unpack, overload

from locus._sync import run_sync
from locus.core._checks import reject_unknown
from locus.core.errors import ConfigurationError, ResponseError
from locus.core.usage import Usage
from locus.models.http._settings import keyword_names
from locus.models.providers.oci._actions import ActionClient, ActionOptions
from locus.models.providers.oci._batching import plan_batches, run_batches

__all__ = ["MAX_INPUTS_PER_CALL", "Embeddings", "OCIEmbeddingModel", "OCIEmbeddingOptions"]

MAX_INPUTS_PER_CALL = 96
"""The service's limit on inputs per ``embedText`` call."""

InputType = Literal["search_document", "search_query", "classification", "clustering"]
Truncate = Literal["NONE", "START", "END"]
_INPUT_TYPES = ("search_document", "search_query", "classification", "clustering")
_TRUNCATES = ("NONE", "START", "END")
_DEFAULT_CHARS = 200_000
"""Characters per batch by default: far below Embed 4's 128,000 tokens per call."""


class OCIEmbeddingOptions(ActionOptions, total=False):
    """``OCIEmbeddingModel``'s keywords: the connection's, sending, and embedding defaults."""

    input_type: InputType
    truncate: Truncate | None
    output_dimensions: int | None
    batch_size: int
    max_concurrency: int
    max_batch_chars: int


@dataclass(frozen=True, slots=True)
class Embeddings(Sequence["array[float]"]):
    """The vectors of one ``embed()`` call, in input order, with the tokens it used."""

    vectors: list[array[float]]
    usage: Usage = field(default_factory=Usage)
    model_id: str = ""

    @property
    def dimensions(self) -> int:
        """The length of each vector (0 when there is none)."""
        return len(self.vectors[0]) if self.vectors else 0

    def __len__(self) -> int:
        return len(self.vectors)

    @overload
    def __getitem__(self, index: int) -> array[float]: ...
    @overload
    def __getitem__(self, index: slice) -> list[array[float]]: ...
    def __getitem__(self, index: int | slice) -> array[float] | list[array[float]]:
        return self.vectors[index]

    def __iter__(self) -> Iterator[array[float]]:
        return iter(self.vectors)

    def tolist(self) -> list[list[float]]:
        """The vectors as lists of Python floats (eight times the memory)."""
        return [vector.tolist() for vector in self.vectors]


_OWN = keyword_names(OCIEmbeddingOptions) - keyword_names(ActionOptions)


class OCIEmbeddingModel:
    """Text (and image) embeddings on OCI Generative AI, on demand or on a DAC endpoint.

    ``OCIEmbeddingModel("cohere.embed-v4.0", compartment_id=..., profile_name=...)`` or
    ``OCIEmbeddingModel("ocid1.generativeaiendpoint...", ...)``: the same connection
    keywords as ``OCIModel`` (``auth_type``, ``region``, ``service_endpoint``, ``timeout``,
    retries, ``transport``...), plus the defaults of every call (``input_type``,
    ``truncate``, ``output_dimensions``) and the batching (``batch_size`` ≤ 96,
    ``max_concurrency``, ``max_batch_chars``).
    """

    keywords: ClassVar[frozenset[str]] = keyword_names(OCIEmbeddingOptions)

    def __init__(self, model_id: str, **options: Unpack[OCIEmbeddingOptions]) -> None:
        if not isinstance(model_id, str) or not model_id.strip():
            raise ConfigurationError("model_id is empty: name an embedding model or endpoint")
        name = type(self).__name__
        reject_unknown(
            name, {k: v for k, v in options.items() if k not in self.keywords}, self.keywords
        )
        self._client = ActionClient(
            name, model_id, "embedText", options, keyword_names(ActionOptions)
        )
        self.model_id = self._client.model_id
        self.input_type: InputType = _input_type(options.get("input_type", "search_document"))
        self.truncate = _truncate(options.get("truncate"))
        self.output_dimensions = _dimensions(options.get("output_dimensions"))
        self.batch_size = _positive("batch_size", options.get("batch_size", 96))
        if self.batch_size > MAX_INPUTS_PER_CALL:
            raise ConfigurationError(
                f"batch_size={self.batch_size} is over the service's limit of "
                f"{MAX_INPUTS_PER_CALL} inputs per call; larger inputs are split for you"
            )
        self.max_concurrency = _positive("max_concurrency", options.get("max_concurrency", 8))
        self.max_batch_chars = _positive(
            "max_batch_chars", options.get("max_batch_chars", _DEFAULT_CHARS)
        )

    def __repr__(self) -> str:
        mode = "DEDICATED" if self.dedicated else "ON_DEMAND"
        return f"OCIEmbeddingModel(model_id={self.model_id!r}, serving_mode={mode})"

    @property
    def dedicated(self) -> bool:
        """Whether the model is a DAC endpoint (DEDICATED serving mode)."""
        return self._client.dedicated

    @property
    def endpoint(self) -> str:
        """The URL of ``embedText`` (known after the first call)."""
        return self._client.endpoint

    async def embed(
        self,
        texts: Sequence[str],
        *,
        input_type: InputType | None = None,
        truncate: Truncate | None = None,
        output_dimensions: int | None = None,
    ) -> Embeddings:
        """One vector per text, in order; many texts are sent as concurrent batches.

        A batch that still fails after its retries makes the call raise
        ``EmbeddingBatchError``, naming the failed inputs and holding the others' vectors.
        """
        texts = _texts(texts)
        fields = self._fields(input_type, truncate, output_dimensions)
        return await self._run([{"inputs": [t]} for t in texts], [len(t) for t in texts], fields)

    async def embed_images(
        self,
        images: Sequence[bytes | str],
        *,
        mime_type: str = "image/png",
        output_dimensions: int | None = None,
    ) -> Embeddings:
        """One vector per image (bytes, or a ``data:`` URL), for the multimodal embed models.

        The service takes one image per call, so each image is its own call (concurrently).
        """
        urls = [_data_url(image, mime_type) for image in images]
        fields = self._fields("image", None, output_dimensions)
        return await self._run([{"inputs": [u]} for u in urls], [1] * len(urls), fields, size=1)

    def embed_sync(
        self,
        texts: Sequence[str],
        *,
        input_type: InputType | None = None,
        truncate: Truncate | None = None,
        output_dimensions: int | None = None,
    ) -> Embeddings:
        """``embed()`` for synchronous code (any thread, a notebook cell included)."""
        return run_sync(
            lambda: self.embed(
                texts,
                input_type=input_type,
                truncate=truncate,
                output_dimensions=output_dimensions,
            ),
            name="embed_sync",
            instead="await model.embed(...)",
        )

    async def aclose(self) -> None:
        """Close the HTTP client; the model stays usable."""
        await self._client.aclose()

    async def __aenter__(self) -> OCIEmbeddingModel:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- internals ------------------------------------------------------------------------
    def _fields(
        self, input_type: str | None, truncate: str | None, dimensions: int | None
    ) -> dict[str, Any]:
        kind = "IMAGE" if input_type == "image" else _input_type(input_type or self.input_type)
        fields: dict[str, Any] = {"inputType": kind.upper()}
        chosen_truncate = _truncate(truncate) or self.truncate
        if chosen_truncate:
            fields["truncate"] = chosen_truncate
        chosen_dimensions = _dimensions(dimensions) or self.output_dimensions
        if chosen_dimensions:
            fields["outputDimensions"] = chosen_dimensions
        return fields

    async def _run(
        self,
        items: list[dict[str, list[str]]],
        lengths: list[int],
        fields: Mapping[str, Any],
        *,
        size: int | None = None,
    ) -> Embeddings:
        if not items:
            return Embeddings([], Usage(), self.model_id)
        await self._client.ready()  # configuration errors surface once, not per batch
        base = {
            "compartmentId": self._client.compartment_id(),
            "servingMode": self._client.serving_mode(),
            **fields,
        }
        tokens: list[int] = []

        async def call(batch: range) -> list[array[float]]:
            inputs = [text for i in batch for text in items[i]["inputs"]]
            answer = await self._client.post({**base, "inputs": inputs})
            vectors, used = _vectors(answer, len(inputs), self.endpoint)
            tokens.append(used)
            return vectors

        batches = plan_batches(lengths, size or self.batch_size, self.max_batch_chars)
        vectors = await run_batches(
            batches, call, concurrency=self.max_concurrency, total=len(items), what="embedText"
        )
        total = sum(tokens)
        return Embeddings(vectors, Usage(prompt_tokens=total, total_tokens=total), self.model_id)


def _vectors(
    answer: Mapping[str, Any], count: int, endpoint: str
) -> tuple[list[array[float]], int]:
    """The float32 vectors of one answer and its prompt tokens, checked against ``count``."""
    raw = answer.get("embeddings")
    if not isinstance(raw, list) or len(raw) != count:
        got = len(raw) if isinstance(raw, list) else type(raw).__name__
        raise ResponseError(
            f"embedText answered {got} embeddings for {count} inputs", endpoint=endpoint
        )
    try:
        vectors = [array("f", vector) for vector in raw]
    except TypeError as exc:
        raise ResponseError(
            f"embedText answered an embedding that is not a list of numbers: {exc}",
            endpoint=endpoint,
        ) from None
    usage = answer.get("usage")
    tokens = usage.get("promptTokens") if isinstance(usage, Mapping) else None
    return vectors, tokens if isinstance(tokens, int) else 0


def _texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise ConfigurationError("embed() takes a list of texts; wrap one text as [text]")
    listed = list(texts)
    bad = [i for i, text in enumerate(listed) if not isinstance(text, str)]
    if bad:
        raise ConfigurationError(f"embed() takes strings; inputs {bad[:10]} are not")
    return listed


def _data_url(image: bytes | str, mime_type: str) -> str:
    if isinstance(image, bytes | bytearray | memoryview):
        return f"data:{mime_type};base64,{base64.b64encode(bytes(image)).decode('ascii')}"
    if isinstance(image, str) and image.startswith("data:"):
        return image
    raise ConfigurationError("an image is bytes or a 'data:<mime>;base64,...' URL")


def _input_type(value: Any) -> InputType:
    lowered = value.lower() if isinstance(value, str) else value
    if lowered not in _INPUT_TYPES:
        raise ConfigurationError(f"input_type must be one of {_INPUT_TYPES}, not {value!r}")
    return lowered  # type: ignore[return-value]


def _truncate(value: Any) -> Truncate | None:
    if value is None:
        return None
    upper = value.upper() if isinstance(value, str) else value
    if upper not in _TRUNCATES:
        raise ConfigurationError(f"truncate must be one of {_TRUNCATES} or None, not {value!r}")
    return upper  # type: ignore[return-value]


def _dimensions(value: Any) -> int | None:
    return None if value is None else _positive("output_dimensions", value)


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{name} must be a positive whole number, not {value!r}")
    return value
