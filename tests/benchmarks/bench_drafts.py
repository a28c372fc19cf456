"""Draft store micro-benchmark: a save per (debounced) keystroke must be cheap on the UI thread.

Run: `python tests/benchmarks/bench_drafts.py`. Prints `name: value unit (target: …)` lines.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.drafts import DraftStore


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = DraftStore(Path(tmp) / "drafts.sqlite3")
        text = ""
        samples = []
        for n in range(2000):
            text += "word " if n % 5 else "\n"
            start = time.perf_counter()
            store.save(f"ticket:t{n % 20}:reply", text)
            samples.append((time.perf_counter() - start) * 1e6)
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(f"drafts_save_p95: {p95:.0f} µs (target: ≤ 2000 µs, one keystroke's budget on the UI thread)")
        start = time.perf_counter()
        store.load("ticket:t7:reply")
        print(f"drafts_load: {(time.perf_counter() - start) * 1e6:.0f} µs (target: ≤ 2000 µs)")
        store.close()


if __name__ == "__main__":
    main()
