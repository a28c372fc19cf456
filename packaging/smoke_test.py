"""Smoke-test the frozen Linux bundle: it starts offscreen, spawns its own sandbox, loads the
contacts panel's live rows and exits 0, within a time bound; the sandbox it left running (it
outlives a console run) is then stopped. Also checks `--version` and reports the size.

    python packaging/smoke_test.py      # after python packaging/build.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "opsdesk"
TIME_LIMIT_S = 180
#: The console's line once the contacts panel shows rows from the server (app/ui/launch.py LIVE_ROWS_LINE).
LIVE_ROWS_PREFIX = "opsdesk: live contacts shown ("


def main() -> int:
    executable = BUNDLE / ("opsdesk.exe" if os.name == "nt" else "opsdesk")
    if not executable.exists():
        print(f"smoke test: no bundle at {executable}; run packaging/build.py first", file=sys.stderr)
        return 1
    size_mb = sum(f.stat().st_size for f in BUNDLE.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6
    print(f"bundle_size: {size_mb:.0f} MB")

    version = subprocess.run([str(executable), "--version"], check=False, capture_output=True, text=True, timeout=60)
    print(f"--version: {version.stdout.strip()}")
    if version.returncode != 0 or "opsdesk" not in version.stdout:
        print(version.stderr, file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="opsdesk-smoke-") as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": home}
        for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            env[name] = str(Path(home) / name.lower())
        try:
            result = _run_console(executable, env)
        finally:
            _stop_sandbox(Path(env["XDG_DATA_HOME"]) / "Opsdesk" / "sandbox")
        if result:
            return result
    print("smoke test: passed")
    return 0


def _run_console(executable: Path, env: dict[str, str]) -> int:
    started = time.monotonic()
    try:
        run = subprocess.run([str(executable), "--exit-after-load"], check=False, capture_output=True, text=True,
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
    if not any(line.startswith(LIVE_ROWS_PREFIX) for line in run.stdout.splitlines()):
        print("smoke test: the bundle exited 0 but never showed the contacts panel's live rows", file=sys.stderr)
        return 1
    return 0


def _stop_sandbox(data_dir: Path) -> None:
    """Stop the detached sandbox the bundle left running (its state file says where; see app/sandbox/state_file.py)."""
    try:
        state = json.loads((data_dir / "sandbox.state.json").read_text())
    except (OSError, ValueError):
        return
    import urllib.request

    request = urllib.request.Request(f"http://{state['host']}:{state['port']}/_sandbox/shutdown", method="POST",
                                     headers={"X-Sandbox-Nonce": state["nonce"]}, data=b"")
    try:
        urllib.request.urlopen(request, timeout=5).close()
    except OSError as error:
        print(f"smoke test: could not stop the sandbox (pid {state['pid']}): {error}", file=sys.stderr)
        return
    deadline = time.monotonic() + 20
    while (data_dir / "sandbox.state.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    print("smoke test: the sandbox the bundle left running was stopped")


if __name__ == "__main__":
    sys.exit(main())
