"""After a Retry-After the client's calls go back gradually, not as a herd that earns more 429s."""

from __future__ import annotations

import pytest

from app.core.sandbox_process import SandboxProcess
from tests.api.rate_limit_storm import CALLS, RATE_LIMIT, TIME_SCALE, run_storm


@pytest.mark.slow
async def test_a_storm_sends_nothing_inside_a_window_and_costs_at_most_1_3_wire_requests_per_call(tmp_path):
    sandbox = SandboxProcess.start(tmp_path / "storm", seed_size=20, rate_limit=RATE_LIMIT, time_scale=TIME_SCALE)
    try:
        result = await run_storm(sandbox.url, sandbox.credentials()["test"]["owner_key"])
    finally:
        sandbox.stop()
    assert result.completed == CALLS, "every call completed"
    assert result.refused >= 1, "the storm really met the limit"
    assert result.sent_inside_windows() == 0
    assert result.wire_per_call <= 1.3, f"{len(result.wire)} wire requests for {CALLS} calls"
