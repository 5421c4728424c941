"""Output validators and ``ModelRetry``: checks of a run's typed output beyond its schema.

``Agent(output_validators=[fn, ...])``: each ``fn(output) -> output`` (sync or async) gets
the validated output in turn and returns it, possibly changed; raising
``ModelRetry("reason")`` asks the model again, with the reason, like a schema error.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from locus.core.errors import ConfigurationError

__all__ = ["ModelRetry", "OutputValidator", "as_validators", "run_validators"]

OutputValidator = Callable[[Any], Any | Awaitable[Any]]
"""``fn(output) -> output`` (or an awaitable of it); may raise ``ModelRetry``."""


class ModelRetry(Exception):
    """Raised by an output validator to ask the model for a better answer.

    ``str(exc)`` is what the model is told. It counts against ``output_retries``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def as_validators(validators: Sequence[OutputValidator] | None) -> tuple[OutputValidator, ...]:
    """Check ``output_validators=``: a list of functions."""
    if validators is None:
        return ()
    if callable(validators) or isinstance(validators, str | bytes):
        raise ConfigurationError("output_validators must be a list of functions, e.g. [check]")
    items = tuple(validators)
    for fn in items:
        if not callable(fn):
            raise ConfigurationError(
                f"output_validators must hold functions fn(output) -> output, "
                f"found {type(fn).__name__}"
            )
    return items


async def run_validators(validators: Sequence[OutputValidator], output: Any) -> Any:
    """Pass ``output`` through each validator in turn (``ModelRetry`` propagates)."""
    for fn in validators:
        result = fn(output)
        output = await result if inspect.isawaitable(result) else result
    return output
