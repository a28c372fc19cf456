"""The start-up benchmark's clocks stop at the right lines: the cached preview's line never stops the live clock."""

from __future__ import annotations

import os
import sys

import pytest

from app.ui.launch import CACHED_ROWS_LINE, LIVE_PREVIEW_LINE, LIVE_ROWS_LINE
from tests.benchmarks.bench_startup import (
    CACHED_ROWS,
    LIVE_PREVIEW,
    LIVE_ROWS,
    MissingLine,
    time_lines,
)


def _printer(*lines: str) -> list[str]:
    """A process that prints `lines` (as the console would) and exits 0."""
    return [sys.executable, "-c", "".join(f"print({line!r}, flush=True)\n" for line in lines)]


def test_each_pattern_matches_only_its_own_line() -> None:
    lines = {"cached": CACHED_ROWS_LINE.format(rows=60), "preview": LIVE_PREVIEW_LINE.format(rows=60),
             "live": LIVE_ROWS_LINE.format(rows=100)}
    patterns = {"cached": CACHED_ROWS, "preview": LIVE_PREVIEW, "live": LIVE_ROWS}
    for name, pattern in patterns.items():
        for other, line in lines.items():
            assert bool(pattern.fullmatch(line)) == (name == other), f"the {other} line would stop the {name} clock"


def test_the_live_preview_clock_fails_when_only_the_cached_line_is_printed() -> None:
    with pytest.raises(MissingLine, match="live"):
        time_lines(_printer(CACHED_ROWS_LINE.format(rows=60)), dict(os.environ), {"live": LIVE_PREVIEW})


def test_an_optional_clock_that_never_stops_is_absent_not_a_failure() -> None:
    times = time_lines(_printer(CACHED_ROWS_LINE.format(rows=60), LIVE_ROWS_LINE.format(rows=100)), dict(os.environ),
                       {"live": LIVE_ROWS}, optional={"server_rows": LIVE_PREVIEW})
    assert "server_rows" not in times and times["live"] > 0


def test_the_live_clock_fails_when_the_process_prints_only_the_preview_line() -> None:
    with pytest.raises(MissingLine, match="live"):
        time_lines(_printer(CACHED_ROWS_LINE.format(rows=60)), dict(os.environ), {"live": LIVE_ROWS})


def test_the_clocks_stop_at_their_lines_in_order() -> None:
    times = time_lines(_printer("noise", CACHED_ROWS_LINE.format(rows=60), LIVE_ROWS_LINE.format(rows=100)),
                       dict(os.environ), {"cached": CACHED_ROWS, "live": LIVE_ROWS})
    assert 0 < times["cached"] <= times["live"] <= times["exit"]
