"""The 429 storm (rate limit 60, 200 calls, 20 concurrent) through a recording proxy.

Run: `python tests/benchmarks/bench_rate_limit_storm.py`. Prints wire requests per logical call
(target ≤ 1.3), 429s met, and requests sent inside a Retry-After window (target 0).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.core.sandbox_process import SandboxProcess
from tests.api.rate_limit_storm import CALLS, RATE_LIMIT, TIME_SCALE, run_storm


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="opsdesk-bench-storm-") as home:
        sandbox = SandboxProcess.start(Path(home), seed_size=20, rate_limit=RATE_LIMIT, time_scale=TIME_SCALE)
        try:
            result = asyncio.run(run_storm(sandbox.url, sandbox.credentials()["test"]["owner_key"]))
        finally:
            sandbox.stop()
    print(f"rate-limit storm wire requests per call: {result.wire_per_call:.2f} x (target: ≤ 1.3)")
    print(f"rate-limit storm 429s met: {result.refused} count (target: —)")
    print(f"rate-limit storm sends inside a Retry-After window: {result.sent_inside_windows()} count (target: 0)")
    print(f"rate-limit storm calls completed: {result.completed} of {CALLS} (target: all)")
    return 0 if result.completed == CALLS else 1


if __name__ == "__main__":
    sys.exit(main())
