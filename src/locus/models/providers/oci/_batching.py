"""Split many inputs into the service's per-call batches and send them concurrently.

``plan_batches`` cuts the inputs, in order, into ranges of at most ``size`` inputs and at
most ``max_chars`` characters (an input longer than that still goes, alone: the service
truncates it or says it is too long). ``run_batches`` sends at most ``concurrency`` of
them at a time; every batch runs to its end (each is retried by its own call), and the
ones that still failed are reported together in one ``EmbeddingBatchError`` naming their
inputs, beside the results of the batches that worked. When every batch failed there is
nothing to keep, and the first batch's own typed error is raised (``BadRequestError``,
``AuthenticationError``, ``RateLimitError``...).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from locus.core.errors import LocusError, ModelError

__all__ = ["EmbeddingBatchError", "plan_batches", "run_batches"]

T = TypeVar("T")


class EmbeddingBatchError(ModelError, Generic[T]):
    """Some batches failed after their retries; ``failed_inputs`` are their input indices.

    ``errors`` pairs each failed batch's range of inputs with its last error (the first
    one is also the ``__cause__``); ``partial`` holds, per input, its result or ``None``
    where its batch failed, so a caller can send only the failed inputs again.
    """

    def __init__(
        self,
        message: str,
        *,
        errors: list[tuple[range, LocusError]],
        partial: list[T | None],
    ) -> None:
        super().__init__(message)
        self.errors = errors
        self.partial = partial

    @property
    def failed_inputs(self) -> list[int]:
        """The indices (into the inputs of the call) of every input whose batch failed."""
        return [i for batch, _ in self.errors for i in batch]


def plan_batches(lengths: Sequence[int], size: int, max_chars: int) -> list[range]:
    """Consecutive ranges of input indices, each within ``size`` inputs and ``max_chars``."""
    batches: list[range] = []
    start = chars = 0
    for index, length in enumerate(lengths):
        full = index - start >= size or (index > start and chars + length > max_chars)
        if full:
            batches.append(range(start, index))
            start, chars = index, 0
        chars += length
    if start < len(lengths):
        batches.append(range(start, len(lengths)))
    return batches


async def run_batches(
    batches: list[range],
    call: Callable[[range], Awaitable[list[T]]],
    *,
    concurrency: int,
    total: int,
    what: str,
) -> list[T]:
    """Every batch's results in input order; ``EmbeddingBatchError`` when any failed."""
    gate = asyncio.Semaphore(concurrency)

    async def one(batch: range) -> list[T] | LocusError:
        async with gate:
            try:
                return await call(batch)
            except LocusError as exc:  # a typed failure after retries; others propagate
                return exc

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(batch)) for batch in batches]
    results: list[T | None] = [None] * total
    errors: list[tuple[range, LocusError]] = []
    for batch, task in zip(batches, tasks, strict=True):
        outcome = task.result()
        if isinstance(outcome, LocusError):
            errors.append((batch, outcome))
        else:
            results[batch.start : batch.stop] = outcome
    if errors and len(errors) == len(batches):
        first = errors[0][1]  # nothing to keep: the typed error itself (400, 401, 429...)
        first.add_note(f"every {what} batch failed ({len(batches)}); this is the first error")
        raise first
    if errors:
        raise _failure(errors, results, len(batches), what) from errors[0][1]
    return results  # type: ignore[return-value]  # no None is left when nothing failed


def _failure(
    errors: list[tuple[range, LocusError]], partial: list[T | None], batches: int, what: str
) -> EmbeddingBatchError[T]:
    failed = sum(len(batch) for batch, _ in errors)
    spans = ", ".join(_span(batch) for batch, _ in errors[:10])
    more = f" and {len(errors) - 10} more batches" if len(errors) > 10 else ""
    first = errors[0][1]
    message = (
        f"{len(errors)} of {batches} {what} batches failed after retries: inputs {spans}{more} "
        f"({failed} of {len(partial)} inputs); first error: {type(first).__name__}: {first}. "
        "The other inputs succeeded: their results are in .partial, and .failed_inputs lists "
        "the indices to send again"
    )
    return EmbeddingBatchError(message, errors=errors, partial=partial)


def _span(batch: range) -> str:
    return f"{batch.start}" if len(batch) == 1 else f"{batch.start}-{batch.stop - 1}"
