"""``FallbackModel``: models tried in order, the next one only when one cannot answer now.

A DAC endpoint under maintenance, throttled or unreachable, then an on-demand model (or
the same model's DAC in another region)::

    model = FallbackModel(
        OCIModel(dac_ocid, compartment_id=compartment),
        OCIModel("meta.llama-3.3-70b-instruct", compartment_id=compartment),
    )
    agent = Agent(model, tools=[...])

Each model makes its own retries first (its ``RetryPolicy``); only the error it ends with
moves the call on, and only an error that says the service cannot answer now
(``FALL_BACK_ON``: no connection, a timeout, 429, 5xx, a stream that broke or an answer
that could not be read): a 400, 401, 403 or 404 is a mistake in the request or the
settings, and is raised as it is, never hidden behind another model's answer. A stream
falls back only before its first event reached the caller; after that its error is
raised (a second model would start the answer again). Each fallback is logged at WARNING
on ``locus.models``; when every model failed, ``FallbackError`` holds each one's error.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from locus.core.errors import (
    ConfigurationError,
    FallbackError,
    RateLimitError,
    ResponseError,
    ServerError,
    StreamError,
    TransportError,
)
from locus.core.messages import Message
from locus.core.model import Model
from locus.core.response import ModelResponse, StreamEvent

__all__ = ["FALL_BACK_ON", "FallbackModel"]

logger = logging.getLogger("locus.models")

FALL_BACK_ON: tuple[type[BaseException], ...] = (
    TransportError,
    RateLimitError,
    ServerError,
    StreamError,
    ResponseError,
)
"""The errors that move a call on to the next model by default."""

FallBackOn = tuple[type[BaseException], ...] | Callable[[Exception], bool]


class FallbackModel:
    """``model``, then each of ``fallbacks`` in order, for every call (a ``Model``).

    ``fall_back_on`` is a tuple of error types (default ``FALL_BACK_ON``) or a function of
    the error that says whether to try the next model. Models may be given as
    ``"provider:model-id"`` strings (``locus.models.get_model``).
    """

    def __init__(
        self,
        model: Model | str,
        *fallbacks: Model | str,
        fall_back_on: FallBackOn = FALL_BACK_ON,
    ) -> None:
        if not fallbacks:
            raise ConfigurationError(
                "FallbackModel needs at least one fallback: FallbackModel(model, fallback, ...)"
            )
        self.models: tuple[Model, ...] = tuple(_as_model(m) for m in (model, *fallbacks))
        if isinstance(fall_back_on, tuple):
            if not fall_back_on or not all(_is_error_type(t) for t in fall_back_on):
                raise ConfigurationError(
                    f"fall_back_on must be exception types or a function, not {fall_back_on!r}"
                )
        elif not callable(fall_back_on):
            raise ConfigurationError(
                f"fall_back_on must be exception types or a function, not {fall_back_on!r}"
            )
        self.fall_back_on = fall_back_on
        self.model_id = "fallback:" + ",".join(m.model_id for m in self.models)

    def __repr__(self) -> str:
        return f"FallbackModel({', '.join(repr(m) for m in self.models)})"

    async def complete(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> ModelResponse:
        """The first model's answer; the next model's when one fails with a fallback error."""
        errors: list[Exception] = []
        for index, model in enumerate(self.models):
            try:
                return await model.complete(messages, tools, **kwargs)
            except Exception as exc:
                if not self._move_on(exc, index, errors):
                    raise
        raise self._all_failed(errors)

    async def stream(
        self, messages: Sequence[Message], tools: Sequence[Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        """The first model's stream; the next model's when one fails before its first event."""
        errors: list[Exception] = []
        for index, model in enumerate(self.models):
            events = model.stream(messages, tools, **kwargs)
            shown = False
            try:
                async for event in events:
                    shown = True
                    yield event
                return
            except Exception as exc:
                if shown or not self._move_on(exc, index, errors):
                    raise
            finally:
                aclose = getattr(events, "aclose", None)
                if aclose is not None:
                    await aclose()
        raise self._all_failed(errors)

    async def prepare(self) -> None:
        """``prepare()`` each model that has it (``HTTPChatModel.prepare``)."""
        for model in self.models:
            prepare = getattr(model, "prepare", None)
            if prepare is not None:
                await prepare()

    async def aclose(self) -> None:
        """Close each model that holds connections."""
        for model in self.models:
            aclose = getattr(model, "aclose", None)
            if aclose is not None:
                await aclose()

    def _falls_back(self, exc: Exception) -> bool:
        if isinstance(self.fall_back_on, tuple):
            return isinstance(exc, self.fall_back_on)
        return bool(self.fall_back_on(exc))

    def _move_on(self, exc: Exception, index: int, errors: list[Exception]) -> bool:
        """True: ``exc`` is recorded and the next model is tried. False: it is to be raised
        as it is (with a note of each earlier model's failure)."""
        if not self._falls_back(exc):
            for earlier, error in zip(self.models, errors, strict=False):
                exc.add_note(f"(before it, {earlier.model_id} failed: {_one_line(error)})")
            return False
        errors.append(exc)
        if index + 1 < len(self.models):
            logger.warning(
                "model %s failed (%s); falling back to %s",
                self.models[index].model_id,
                _one_line(exc),
                self.models[index + 1].model_id,
            )
        return True

    def _all_failed(self, errors: list[Exception]) -> FallbackError:
        failed = "; ".join(
            f"{m.model_id}: {_one_line(e)}" for m, e in zip(self.models, errors, strict=True)
        )
        error = FallbackError(f"every model failed: {failed}", errors=errors)
        error.__cause__ = errors[-1]
        return error


def _as_model(model: object) -> Model:
    if isinstance(model, str):
        from locus.models.registry import get_model

        return get_model(model)
    if not isinstance(model, Model):
        raise ConfigurationError(
            f"FallbackModel takes models (or 'provider:model-id' strings), not {model!r}"
        )
    return model


def _is_error_type(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, BaseException)


def _one_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
