"""One retry layer for a durable run's model calls: inside the activity the model makes one
request (``_attempts.single_attempt``), and Temporal retries on the model's schedule: a
server's ``Retry-After`` is the next delay, and what the model would never retry (a 501, a
409 that is no conflict) is not retried by Temporal either."""

from __future__ import annotations

from datetime import timedelta

from locus.core.errors import ConflictError, FallbackError, RateLimitError, ServerError
from locus.durable.temporal._attempts import retry_delay, single_attempt
from locus.durable.temporal._errors import application_error, locus_error
from locus.models import FallbackModel
from locus.models.http import RetryPolicy
from locus.models.providers.oci import OCIModel
from locus.testing import ScriptedModel


def _model(policy: RetryPolicy) -> OCIModel:
    return OCIModel(
        "meta.llama-3.3-70b-instruct",
        service_endpoint="http://127.0.0.1:9",
        compartment_id="ocid1.compartment.oc1..x",
        auth_type="api_key",
        retry_policy=policy,
    )


def test_the_model_in_an_activity_makes_one_request_and_the_agents_model_is_unchanged() -> None:
    policy = RetryPolicy(max_retries=6, base_delay=0.5, max_delay=8.0)
    model = _model(policy)
    once = single_attempt(model)
    assert once is not model and once.retry.max_retries == 0
    assert (once.retry.base_delay, once.retry.max_delay) == (0.5, 8.0)
    assert model.retry == policy  # (arun of the same agent in the worker still retries)
    assert single_attempt(model) is once  # made once per model
    assert once.connection is model.connection  # (one connection, one pool)


def test_a_model_with_no_retry_policy_or_none_to_turn_off_is_called_as_it_is() -> None:
    scripted = ScriptedModel(["hi"])
    assert single_attempt(scripted) is scripted
    plain = _model(RetryPolicy(max_retries=0))
    assert single_attempt(plain) is plain


def test_a_servers_retry_after_is_temporals_next_delay_capped_by_the_policy() -> None:
    policy = RetryPolicy(max_retry_after=20.0)
    throttled = RateLimitError("slow down", status=429, retry_after=3.0)
    assert retry_delay(throttled, policy) == timedelta(seconds=3)
    assert application_error(throttled, retry_delay(throttled, policy)).next_retry_delay == (
        timedelta(seconds=3)
    )
    late = RateLimitError("slow down", status=429, retry_after=3600.0)
    assert retry_delay(late, policy) == timedelta(seconds=20)
    for none in (None, float("nan"), -1.0):
        assert retry_delay(RateLimitError("x", status=429, retry_after=none), policy) is None
    assert retry_delay(ValueError("x"), policy) is None


def test_statuses_the_model_never_retries_are_not_retried_by_temporal() -> None:
    assert application_error(ServerError("down", status=503)).non_retryable is False
    assert application_error(RateLimitError("slow", status=429)).non_retryable is False
    lock = ConflictError("busy", status=409, code="LockConflict")
    assert application_error(lock).non_retryable is False
    assert application_error(ServerError("no", status=501)).non_retryable is True
    other = ConflictError("exists", status=409, code="AlreadyExists")
    assert application_error(other).non_retryable is True
    # a delay for an error that is not retried is dropped
    refused = application_error(ServerError("no", status=501), timedelta(seconds=5))
    assert refused.next_retry_delay is None


def test_a_fallback_model_asks_each_of_its_models_once_per_attempt() -> None:
    dac, on_demand = _model(RetryPolicy(max_retries=4)), _model(RetryPolicy(max_retries=2))
    scripted = ScriptedModel(["hi"])
    model = FallbackModel(dac, on_demand, scripted, fall_back_on=(ServerError,))
    once = single_attempt(model)
    assert isinstance(once, FallbackModel) and once is not model
    assert [m.retry.max_retries for m in once.models[:2]] == [0, 0]  # type: ignore[attr-defined]
    assert once.models[2] is scripted and once.fall_back_on == (ServerError,)
    assert dac.retry.max_retries == 4  # the agent's own model is unchanged
    plain = FallbackModel(scripted, ScriptedModel(["ho"]))
    assert single_attempt(plain) is plain  # nothing to turn off


def test_a_fallback_error_crosses_temporal_with_its_message() -> None:
    error = FallbackError("every model failed: a: ServerError; b: RateLimitError", errors=[])
    rebuilt = locus_error(application_error(error))
    assert isinstance(rebuilt, FallbackError) and rebuilt.errors == []
    assert str(rebuilt) == str(error)
