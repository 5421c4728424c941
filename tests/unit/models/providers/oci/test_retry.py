"""Retry policy math: what is retried, backoff, Retry-After, attempts and deadline."""

from __future__ import annotations

import random

import pytest

from locus.models.http._errors import parse_retry_after
from locus.models.http._retry import RetryBudget, RetryPolicy, is_retryable_status


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (429, "TooManyRequests", True),
        (409, "IncorrectState", True),
        (409, "LockConflict", True),
        (409, "Conflict", False),
        (500, None, True),
        (502, None, True),
        (503, "ServiceUnavailable", True),
        (504, None, True),
        (501, None, False),
        (400, "InvalidParameter", False),
        (401, "NotAuthenticated", False),
        (403, None, False),
        (404, "NotAuthorizedOrNotFound", False),
    ],
)
def test_retryable_statuses(status: int, code: str | None, expected: bool) -> None:
    assert is_retryable_status(status, code) is expected


def test_backoff_is_exponential_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0)
    rng = random.Random(7)
    for n, low in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0)]:
        wait = policy.backoff(n, rng)
        assert low <= wait <= low + 1.0
    assert policy.backoff(10, rng) == 30.0


def test_retry_after_wins_and_is_capped() -> None:
    policy = RetryPolicy(max_retry_after=5.0)
    rng = random.Random(1)
    assert policy.delay(1, 2.5, rng) == 2.5
    assert policy.delay(1, 100.0, rng) == 5.0
    assert 1.0 <= policy.delay(1, -3.0, rng) <= 2.0, "negative: the backoff"


def test_budget_counts_retries() -> None:
    budget = RetryBudget(RetryPolicy(max_retries=2, base_delay=0.01), rng=random.Random(0))
    assert budget.next_delay() is not None
    assert budget.next_delay() is not None
    assert budget.next_delay() is None
    assert budget.retries == 2


def test_budget_stops_before_the_deadline() -> None:
    now = [0.0]
    budget = RetryBudget(RetryPolicy(max_retries=10, deadline=5.0), clock=lambda: now[0])
    assert budget.next_delay(retry_after=4.0) == 4.0
    now[0] = 4.5
    assert budget.next_delay(retry_after=1.0) is None, "would end after the deadline"


def test_zero_retries_turns_retrying_off() -> None:
    assert RetryBudget(RetryPolicy(max_retries=0)).next_delay() is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("-1", None), (None, None), ("soon", None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    wait = parse_retry_after("Thu, 01 Jan 2099 00:00:00 GMT")
    assert wait is not None and wait > 1e6
