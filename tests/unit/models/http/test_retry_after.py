"""``Retry-After`` parsing and the policy's use of it: unusable values count as absent."""

from __future__ import annotations

import math
import random

import pytest

from locus.models.http._errors import parse_retry_after
from locus.models.http._retry import RetryPolicy


@pytest.mark.parametrize(
    "value", ["nan", "NaN", "-nan", "inf", "Infinity", "-inf", "1e999", "-1", "-0.001"]
)
def test_unusable_numbers_are_absent(value: str) -> None:
    assert parse_retry_after(value) is None


@pytest.mark.parametrize(("value", "expected"), [("0", 0.0), ("2.5", 2.5), ("1e300", 1e300)])
def test_usable_numbers_are_kept(value: str, expected: float) -> None:
    assert parse_retry_after(value) == expected


def test_a_date_in_the_past_means_now() -> None:
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:01 GMT") == 0.0


@pytest.mark.parametrize("given", [math.nan, math.inf, -math.inf, -1.0])
def test_the_policy_backs_off_instead_of_using_an_unusable_value(given: float) -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0, max_retry_after=60.0)
    wait = policy.delay(1, given, random.Random(3))
    assert 1.0 <= wait <= 2.0


def test_the_policy_caps_a_huge_value() -> None:
    assert RetryPolicy(max_retry_after=5.0).delay(1, 1e300, random.Random(0)) == 5.0
