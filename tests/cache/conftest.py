"""Cache tests: a fresh cache file per test and a clock the test moves by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cache import PageCache


class ManualClock:
    """Stands in for time.time so ages and eviction order are exact."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "profile" / "cache.sqlite3"


@pytest.fixture
def cache(cache_path: Path, clock: ManualClock) -> PageCache:
    with PageCache(cache_path, clock=clock) as opened:
        yield opened


def contact(n: int, **extra) -> dict:
    """A contact shaped like the API's."""
    return {
        "id": f"con_{n:06d}", "name": f"Person {n}", "email": f"person{n}@example.com",
        "phone": f"+1 555 {n:04d}", "company_id": "com_1", "company_name": "Acme Ltd",
        "tags": ["vip"] if n % 10 == 0 else [], "custom_fields": {}, "notes": None, "version": 1,
        "created_at": f"2026-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}Z",
        "updated_at": f"2026-02-01T00:{n // 60 % 60:02d}:{n % 60:02d}Z",
        **extra,
    }
