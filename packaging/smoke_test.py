"""Smoke-test the frozen Linux bundle: it starts offscreen, spawns its own sandbox, loads the
contacts panel and exits 0, within a time bound. Also checks `--version` and reports the size.

    python packaging/smoke_test.py      # after python packaging/build.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "opsdesk"
TIME_LIMIT_S = 180


def main() -> int:
    executable = BUNDLE / ("opsdesk.exe" if os.name == "nt" else "opsdesk")
    if not executable.exists():
        print(f"smoke test: no bundle at {executable}; run packaging/build.py first", file=sys.stderr)
        return 1
    size_mb = sum(f.stat().st_size for f in BUNDLE.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6
    print(f"bundle_size: {size_mb:.0f} MB")

    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=60)
    print(f"--version: {version.stdout.strip()}")
    if version.returncode != 0 or "opsdesk" not in version.stdout:
        print(version.stderr, file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="opsdesk-smoke-") as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": home}
        for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            env[name] = str(Path(home) / name.lower())
        started = time.monotonic()
        try:
            run = subprocess.run([str(executable), "--exit-after-load"], capture_output=True, text=True,
                                 timeout=TIME_LIMIT_S, env=env)
        except subprocess.TimeoutExpired:
            print(f"smoke test: the bundle did not exit within {TIME_LIMIT_S} s", file=sys.stderr)
            return 1
        elapsed = time.monotonic() - started
        print(f"bundle_first_run_to_loaded_exit: {elapsed:.1f} s (target: < {TIME_LIMIT_S} s)")
        if run.returncode != 0:
            print(f"smoke test: exit code {run.returncode}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}", file=sys.stderr)
            return 1
        print(run.stdout.strip()[-1000:])
        if "contacts shown (" not in run.stdout:
            print("smoke test: the bundle exited 0 but never showed the contacts panel's rows", file=sys.stderr)
            return 1
    print("smoke test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
