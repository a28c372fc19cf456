"""Retry arithmetic: backoff, jitter and Retry-After parsing, as parametrized tables."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from app.api import RetryPolicy, constants
from app.api.retry_policy import parse_retry_after

NOW = 1_800_000_000.0


@pytest.mark.parametrize(("failures", "random_value", "expected"), [
    (1, 0.0, 0.5), (2, 0.0, 1.0), (3, 0.0, 2.0), (4, 0.0, 4.0), (5, 0.0, 8.0), (6, 0.0, 8.0), (12, 0.0, 8.0),
    (1, 1.0, 0.375), (3, 1.0, 1.5), (5, 1.0, 6.0), (9, 1.0, 6.0),
    (2, 0.5, 0.875),
])
def test_backoff_doubles_from_half_a_second_caps_at_eight_and_jitters_down(failures, random_value, expected):
    policy = RetryPolicy(random_source=lambda: random_value)
    assert policy.backoff(failures) == pytest.approx(expected)


@pytest.mark.parametrize(("retry_after", "random_value", "expected"), [
    (3.0, 0.0, 3.0), (3.0, 1.0, 3.75), (1.0, 0.5, 1.125), (0.0, 1.0, 0.0),
])
def test_a_told_wait_is_never_shorter_than_retry_after(retry_after, random_value, expected):
    policy = RetryPolicy(random_source=lambda: random_value)
    assert policy.told_wait(retry_after) == pytest.approx(expected)
    assert policy.told_wait(retry_after) >= retry_after


def _http_date(seconds_from_now: float) -> str:
    return format_datetime(datetime.fromtimestamp(NOW + seconds_from_now, UTC), usegmt=True)


@pytest.mark.parametrize(("header", "expected"), [
    ("3", 3.0), ("0", 0.0), ("1.5", 1.5), (" 7 ", 7.0), ("-4", 0.0),
    (_http_date(30), 30.0), (_http_date(-30), 0.0), (_http_date(3600), 3600.0),
    ("soon", None), ("", None), ("Wed, 99 Foo 2026", None),
])
def test_retry_after_reads_seconds_and_http_dates(header, expected):
    assert parse_retry_after({"Retry-After": header}, NOW) == expected


def test_no_retry_after_header_means_no_instruction():
    assert parse_retry_after({}, NOW) is None


@pytest.mark.parametrize(("retry_after", "honoured"), [
    (0.0, True), (constants.MAX_RETRY_AFTER_SECONDS, True), (constants.MAX_RETRY_AFTER_SECONDS + 0.5, False),
])
def test_retry_after_is_waited_out_only_up_to_the_cap(retry_after, honoured):
    assert RetryPolicy().honours(retry_after) is honoured


def test_negative_retry_budget_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(-1)
