"""Console start-up and panel switching, against a bare PySide6 window started the same way.

Run: `python tests/benchmarks/bench_startup.py [runs]` (default 5). Prints one line per figure:
`name: value unit (target: …)`.

- cold start: from spawning `python -m app --exit-after-load` to the moment the main window has
  painted the contacts panel with cached rows (the console prints a line then; this script
  timestamps it), median of `runs`. The profile points at a real sandbox child; its cache was
  filled by an earlier run, which also compiled the bytecode (as an installed package has it). The baseline is a bare PySide6 window (a table with 20 rows) started
  by the same interpreter the same way. Target: ratio ≤ 2.0×.
- panel switch: in-process, every module opened once, then switching between them 200 times:
  open the module and process the events that follows (the repaint of what changed and the
  synchronous start of the panel's activation). Target: p95 ≤ 25 ms (issue 12; issue 17 asks ≤ 20).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

XDG_NAMES = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")

BARE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem
app = QApplication(sys.argv[:1])
window = QMainWindow()
table = QTableWidget(20, 3)
for row in range(20):
    for column in range(3):
        table.setItem(row, column, QTableWidgetItem(f"cell {row}.{column}"))
window.setCentralWidget(table)
window.resize(1200, 760)
window.show()
app.processEvents()
print("bare: shown", flush=True)
"""


def time_until_line(argv: list[str], env: dict[str, str], marker: str, timeout: float = 120.0) -> float:
    """Seconds from spawning `argv` until it prints a line containing `marker`; waits for exit."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = None
    assert process.stdout is not None
    for line in process.stdout:
        if marker in line and elapsed is None:
            elapsed = time.perf_counter() - started
    process.wait(timeout)
    if elapsed is None or process.returncode != 0:
        raise SystemExit(f"{argv} failed ({process.returncode}): {process.stderr.read()[-2000:]}")
    return elapsed


def cold_start(runs: int) -> tuple[float, float]:
    from app.core.profiles import Profile, ProfileStore
    from app.core.sandbox_process import SandboxProcess

    home = Path(tempfile.mkdtemp(prefix="opsdesk-bench-start-"))
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    # Measured as installed: an installed package (wheel or bundle) has its bytecode compiled,
    # so the warm-up run may write it; with PYTHONDONTWRITEBYTECODE every start recompiles the app.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in XDG_NAMES:
        env[name] = str(home / name.lower())
    sandbox = SandboxProcess.start(home / "server", seed_size=300)
    try:
        os.environ.update({name: env[name] for name in XDG_NAMES})
        store = ProfileStore()
        profile = store.add(Profile(name="Bench", base_url=sandbox.url))
        key = sandbox.credentials()["test"]["owner_key"]
        env["OPSDESK_BENCH_KEYRING"] = json.dumps({f"opsdesk:{profile.id}:api_key": key})
        env["PYTHON_KEYRING_BACKEND"] = "env_keyring.EnvKeyring"
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")])
        console = [sys.executable, "-m", "app", "--exit-after-load"]
        time_until_line(console, env, "contacts shown")  # fills the cache, compiles bytecode
        bare = [sys.executable, "-c", BARE_WINDOW]
        time_until_line(bare, env, "bare: shown")
        consoles, bares = [], []
        for _ in range(runs):
            consoles.append(time_until_line(console, env, "contacts shown"))
            bares.append(time_until_line(bare, env, "bare: shown"))
        return statistics.median(consoles), statistics.median(bares)
    finally:
        sandbox.stop()


def panel_switching(samples: int = 200) -> float:
    """p95 in ms of switching between already-created panels (open + repaint)."""
    import keyring
    import qasync
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.core.keychain import SecretStore
    from app.core.profiles import Profile, ProfileStore
    from app.core.sandbox_process import SandboxProcess
    from app.ui.console import Console
    from app.ui.panels.registry import MODULES

    home = Path(tempfile.mkdtemp(prefix="opsdesk-bench-switch-"))
    for name in XDG_NAMES:
        os.environ[name] = str(home / name.lower())
    sys.path.insert(0, str(Path(__file__).parent))
    from env_keyring import EnvKeyring

    sandbox = SandboxProcess.start(home / "server", seed_size=300)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    timings: list[float] = []

    async def scenario() -> None:
        store = ProfileStore(home / "profiles.json")
        profile = store.add(Profile(name="Bench", base_url=sandbox.url))
        os.environ["OPSDESK_BENCH_KEYRING"] = json.dumps(
            {f"opsdesk:{profile.id}:api_key": sandbox.credentials()["test"]["owner_key"]})
        keyring.set_keyring(EnvKeyring())
        console = Console(store=store, secrets=SecretStore(),
                          settings=QSettings(str(home / "ui.ini"), QSettings.Format.IniFormat))
        await console.start()
        window = console.window
        names = [spec.name for spec in MODULES]
        for name in names:
            window.open_module(name)
            await asyncio.sleep(0.3)  # let each panel load its first data
        loop = asyncio.get_running_loop()
        for index in range(samples):
            name = names[index % len(names)]
            switched = loop.create_future()

            def switch(name: str = name, switched: asyncio.Future = switched) -> None:
                # Outside any task, so processing events may run the panel's activation steps.
                started = time.perf_counter()
                window.open_module(name)
                app.processEvents()  # paints what changed (the stack, the sidebar), as a real switch does
                timings.append((time.perf_counter() - started) * 1000)
                switched.set_result(None)

            loop.call_soon(switch)
            await switched
            await asyncio.sleep(0.01)
        await console.shutdown()

    try:
        qasync.run(scenario())
    finally:
        sandbox.stop()
    del app
    return statistics.quantiles(timings, n=20)[-1]


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 5
    console, bare = cold_start(runs)
    print(f"cold start to painted cached rows: {console * 1000:.0f} ms (target: ≤ 2.0× bare window)")
    print(f"bare PySide6 window cold start: {bare * 1000:.0f} ms (target: baseline)")
    print(f"cold start ratio console/bare: {console / bare:.2f} x (target: ≤ 2.0)")
    p95 = panel_switching()
    print(f"panel switch p95: {p95:.1f} ms (target: ≤ 25)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
