"""One retry layer for a durable run's model calls: Temporal's.

An agent's model retries its own HTTP attempts (its ``RetryPolicy``), and a durable run's
model call is an activity that Temporal retries with that same policy mapped onto its own
(``_errors.temporal_retry_policy``). Both layers at once asked a model that kept failing
(``max_retries`` + 1)² times. So inside the activity the worker calls a view of the model
whose own retries are off (``single_attempt``): each activity attempt is one request, and
Temporal's policy is the whole schedule (``max_retries`` + 1 attempts, the first delay,
doubling, the ceiling), a server's ``Retry-After`` taken as the next delay
(``retry_delay``). A worker that dies, or an outage longer than one attempt, is ridden
out across attempts, as Temporal's retries always did.

A ``FallbackModel`` becomes one of its models' single-attempt views, so an activity attempt
asks each model once, in order; the fallback having no ``RetryPolicy`` of its own, the
activity's schedule is the default ``RetryPolicy()``'s (5 attempts, 1 s doubling to 30 s).
A model without a ``settings.retry`` (a model of your own) is called as it is: its own
retries, if it has any, still multiply with Temporal's.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import threading
from datetime import timedelta
from typing import Any

from locus.core.errors import APIStatusError
from locus.models.fallback import FallbackModel
from locus.models.http import RetryPolicy

__all__ = ["retry_delay", "single_attempt"]

_VIEWS: dict[int, tuple[Any, Any]] = {}
"""``id(model)`` -> ``(model, its single-attempt view)``, for the models a worker serves."""
_LOCK = threading.Lock()


def single_attempt(model: Any) -> Any:
    """``model`` with its own retries off (a shallow copy sharing its connection and HTTP
    client), made once per model; ``model`` itself when it has no ``RetryPolicy`` to turn
    off, or retries nothing already."""
    with _LOCK:
        found = _VIEWS.get(id(model))
        if found is not None and found[0] is model:
            return found[1]
        view = _view(model)
        _VIEWS[id(model)] = (model, view)
        return view


def _view(model: Any) -> Any:
    if isinstance(model, FallbackModel):
        views = [_view(each) for each in model.models]
        if all(view is each for view, each in zip(views, model.models, strict=True)):
            return model
        return FallbackModel(*views, fall_back_on=model.fall_back_on)
    settings = getattr(model, "settings", None)
    retry = getattr(settings, "retry", None)
    if not dataclasses.is_dataclass(settings) or not isinstance(retry, RetryPolicy):
        return model
    if retry.max_retries == 0:
        return model
    view = copy.copy(model)
    once = dataclasses.replace(retry, max_retries=0)
    view.settings = dataclasses.replace(settings, retry=once)  # type: ignore[type-var]
    return view


def retry_delay(exc: BaseException, policy: RetryPolicy | None) -> timedelta | None:
    """The wait a server asked for before the next attempt (its ``Retry-After``, capped at
    the policy's ``max_retry_after``), or ``None`` (Temporal's backoff then)."""
    after = exc.retry_after if isinstance(exc, APIStatusError) else None
    if after is None or not math.isfinite(after) or after < 0:
        return None
    cap = (policy or RetryPolicy()).max_retry_after
    return timedelta(seconds=min(after, cap))
