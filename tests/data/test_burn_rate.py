"""Burn rate and run-out projection of the rate-limit budget, with a pinned clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.data.burn_rate import BurnRate


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def window(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def test_spending_per_minute_and_run_out_before_reset() -> None:
    clock = Clock()
    burn = BurnRate(clock)
    reset = window(clock.now + 120)
    for remaining in range(600, 480, -10):  # 12 readings, 10 requests per second
        burn.add(remaining, reset)
        clock.now += 1
    assert burn.per_minute() == pytest.approx(110 * 60 / 12)
    projection = burn.project(490, reset)
    assert projection.runs_out_in == pytest.approx(490 / (110 / 12))  # 53 s, before the reset at 108 s
    assert burn.project(490, window(clock.now + 30)).runs_out_in is None  # resets first


def test_a_new_window_refill_is_not_counted_as_spending() -> None:
    clock = Clock()
    burn = BurnRate(clock)
    burn.add(20, window(clock.now + 5))
    clock.now += 1
    burn.add(10, window(clock.now + 4))
    clock.now += 5
    burn.add(600, window(clock.now + 60))
    assert burn.per_minute() == 0
    assert burn.project(600, window(clock.now + 60)).runs_out_in is None


def test_a_slow_rate_lasts_until_the_reset() -> None:
    clock = Clock()
    burn = BurnRate(clock)
    reset = window(clock.now + 50)
    burn.add(600, reset)
    clock.now += 10
    burn.add(590, reset)
    projection = burn.project(590, reset)
    assert projection.per_minute == pytest.approx(60) and projection.runs_out_in is None


def test_spending_older_than_a_minute_is_forgotten() -> None:
    clock = Clock()
    burn = BurnRate(clock)
    reset = window(clock.now + 300)
    burn.add(100, reset)
    clock.now += 1
    burn.add(50, reset)
    clock.now += 61
    assert burn.per_minute() == 0
