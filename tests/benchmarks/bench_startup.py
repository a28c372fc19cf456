"""Console start-up and exit as whole processes, against a bare PySide6 window started the same way
in the same run; and panel switching.

Run: `python tests/benchmarks/bench_startup.py [runs]` (default 5). Prints one line per figure:
`name: value unit (target: …)`.

Every clock starts when the process is spawned and stops at a whole line the process prints
(`python -m app --exit-after-load`: the cached preview's line; the line saying the preview shows
the server's newest contacts (the early first page, `app.core.first_page`); the live panel's line;
see `app/ui/launch.py`) or at the process's exit. Lines are matched whole, by patterns built from
the console's own line formats: the cached line ("cached contacts shown") must never stop a live
clock, which `tests/core/test_startup_benchmark_lines.py` proves.

The profile is the first run's "Local sandbox" on a detached sandbox (300 demo contacts per
workspace); its cache was filled and the bytecode compiled by a warm-up run, as an installed
package has it. The baseline is a bare PySide6 window with a 50-row table, spawned by the same
interpreter between the console's runs; medians of `runs`.

- second start (the sandbox already running, as the earlier console left it) to live rows on
  screen: the rows the server sent in this run, in the preview (the early first page) or, when that
  page did not come first, in the panel. Target: ≤ 2.5× the bare window (issue 17). How many runs
  showed the early page is printed with it; the live *panel* (interactive, synced) is stated beside.
- first start (no sandbox running: the console launches it) to cached rows (target ≤ 1.5×) and to
  live rows on screen and the live panel (stated).
- to exit: the whole second-start run until the process has exited vs the bare window's whole run.
- panel switch: in-process, every module opened once, then switching between them 200 times:
  open the module and process the events that follow. Target: p95 ≤ 20 ms (issue 17).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from keyring.backend import KeyringBackend

from app.ui.launch import CACHED_ROWS_LINE, LIVE_PREVIEW_LINE, LIVE_ROWS_LINE

XDG_NAMES = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
ROWS = 50


def line_pattern(line_format: str) -> re.Pattern[str]:
    """A whole-line pattern for one of the console's `{rows}` line formats."""
    return re.compile(re.escape(line_format).replace(re.escape("{rows}"), r"\d+"))


CACHED_ROWS = line_pattern(CACHED_ROWS_LINE)
LIVE_PREVIEW = line_pattern(LIVE_PREVIEW_LINE)
LIVE_ROWS = line_pattern(LIVE_ROWS_LINE)
BARE_SHOWN = re.compile(r"bare: shown")

BARE_WINDOW = f"""
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem
app = QApplication(sys.argv[:1])
window = QMainWindow()
table = QTableWidget({ROWS}, 3)
for row in range({ROWS}):
    for column in range(3):
        table.setItem(row, column, QTableWidgetItem(f"cell {{row}}.{{column}}"))
window.setCentralWidget(table)
window.resize(1200, 760)
window.show()
app.processEvents()
print("bare: shown", flush=True)
"""


class MissingLine(AssertionError):
    """The process exited without printing a line its clock stops at (or failed)."""


def time_lines(argv: list[str], env: dict[str, str], clocks: dict[str, re.Pattern[str]],
               timeout: float = 180.0, optional: dict[str, re.Pattern[str]] | None = None) -> dict[str, float]:
    """Seconds from spawning `argv` to the first line matching each clock's pattern (whole line), and
    to the process's exit (`"exit"`). MissingLine when a clock never stops or the process fails.

    An `optional` clock that never stops is simply absent from the result (the early first page is
    shown only when it arrives before the panels take over)."""
    optional = optional or {}
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stopped: dict[str, float] = {}
    assert process.stdout is not None and process.stderr is not None
    for line in process.stdout:
        now = time.perf_counter() - started
        for name, pattern in {**clocks, **optional}.items():
            if name not in stopped and pattern.fullmatch(line.rstrip("\r\n")):
                stopped[name] = now
    errors = process.stderr.read()
    process.wait(timeout)
    stopped["exit"] = time.perf_counter() - started
    missing = [f"{name} ({clocks[name].pattern})" for name in clocks if name not in stopped]
    if missing or process.returncode != 0:
        raise MissingLine(f"{argv} exited {process.returncode} without the line(s) {missing}: {errors[-2000:]}")
    return stopped


class DictKeyring(KeyringBackend):
    """The set-up's keychain: the first run stores the keys here; the consoles read them from the environment."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, str] = {}

    def get_password(self, service, username):
        return self.entries.get(f"{service}:{username}")

    def set_password(self, service, username, password):
        self.entries[f"{service}:{username}"] = password

    def delete_password(self, service, username):
        self.entries.pop(f"{service}:{username}", None)


def start_up(runs: int) -> dict[str, float]:
    """Medians in seconds: second and first start (cached, live, exit), the bare window (shown, exit)."""
    from app.core import paths
    from app.core.first_run import LOCAL_SANDBOX_NAME, first_run
    from app.core.keychain import SecretStore
    from app.core.profiles import ProfileStore
    from app.core.sandbox_process import SandboxProcess

    home = Path(tempfile.mkdtemp(prefix="opsdesk-bench-start-"))
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    # Measured as installed: an installed package (wheel or bundle) has its bytecode compiled,
    # so the warm-up run may write it; with PYTHONDONTWRITEBYTECODE every start recompiles the app.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in XDG_NAMES:
        env[name] = str(home / name.lower())
    os.environ.update({name: env[name] for name in XDG_NAMES})
    keys = DictKeyring()
    local = first_run(ProfileStore(), SecretStore(backend=keys), seed_size=300)
    data_dir = paths.local_sandbox_data_dir()
    env["OPSDESK_BENCH_KEYRING"] = json.dumps(keys.entries)
    env["PYTHON_KEYRING_BACKEND"] = "env_keyring.EnvKeyring"
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")])
    console = [sys.executable, "-m", "app", "--exit-after-load", "--profile", LOCAL_SANDBOX_NAME]
    bare = [sys.executable, "-c", BARE_WINDOW]
    console_clocks = {"cached": CACHED_ROWS, "live": LIVE_ROWS}
    optional_clocks = {"server_rows": LIVE_PREVIEW}
    try:
        time_lines(console, env, {"live": LIVE_ROWS})  # fills the cache, compiles bytecode
        time_lines(bare, env, {"shown": BARE_SHOWN})
        second, first, bares = [], [], []
        for _ in range(runs):
            second.append(time_lines(console, env, console_clocks, optional=optional_clocks))
            bares.append(time_lines(bare, env, {"shown": BARE_SHOWN}))
            running = SandboxProcess.find(data_dir)
            if running is None:
                raise MissingLine("the console's exit stopped the sandbox")
            running.stop()  # not timed: the next start has to launch it
            first.append(time_lines(console, env, console_clocks, optional=optional_clocks))
            bares.append(time_lines(bare, env, {"shown": BARE_SHOWN}))
    finally:
        for process in (SandboxProcess.find(data_dir), local.process):
            if process is not None and process.running():
                process.stop()

    def median(samples: list[dict[str, float]], name: str) -> float:
        return statistics.median(sample[name] for sample in samples)

    def server_rows(samples: list[dict[str, float]]) -> float:
        """The server's rows on screen: in the preview if it showed them, else in the panel."""
        return statistics.median(min(sample.get("server_rows", sample["live"]), sample["live"]) for sample in samples)

    return {"second_server_rows": server_rows(second), "first_server_rows": server_rows(first),
            "second_previews": sum("server_rows" in sample for sample in second), "runs": runs,
            "second_live": median(second, "live"), "second_cached": median(second, "cached"),
            "second_exit": median(second, "exit"), "first_cached": median(first, "cached"),
            "first_live": median(first, "live"), "first_exit": median(first, "exit"),
            "bare_shown": median(bares, "shown"), "bare_exit": median(bares, "exit")}


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
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
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
                qt_app.processEvents()  # paints what changed (the stack, the sidebar), as a real switch does
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
    return statistics.quantiles(timings, n=20)[-1]


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 5
    figures = start_up(runs)
    bare, bare_exit = figures["bare_shown"], figures["bare_exit"]
    print(f"bare PySide6 window ({ROWS} rows) shown: {bare * 1000:.0f} ms, exited: {bare_exit * 1000:.0f} ms "
          f"(target: baseline)")
    print(f"second start (sandbox running) to live rows on screen (the server's newest contacts in the preview, "
          f"{figures['second_previews']} of {figures['runs']} runs; else the panel's): "
          f"{figures['second_server_rows'] * 1000:.0f} ms = {figures['second_server_rows'] / bare:.2f} x bare "
          f"(target: ≤ 2.5)")
    print(f"second start to the live contacts panel (interactive, synced): {figures['second_live'] * 1000:.0f} ms = "
          f"{figures['second_live'] / bare:.2f} x bare (target: stated)")
    print(f"second start to cached rows: {figures['second_cached'] * 1000:.0f} ms = "
          f"{figures['second_cached'] / bare:.2f} x bare (target: —)")
    print(f"first start (sandbox launched) to cached rows: {figures['first_cached'] * 1000:.0f} ms = "
          f"{figures['first_cached'] / bare:.2f} x bare (target: ≤ 1.5)")
    print(f"first start to live rows on screen: {figures['first_server_rows'] * 1000:.0f} ms = "
          f"{figures['first_server_rows'] / bare:.2f} x bare; to the live contacts panel: "
          f"{figures['first_live'] * 1000:.0f} ms = {figures['first_live'] / bare:.2f} x bare (target: stated)")
    print(f"second start, whole run to exit: {figures['second_exit'] * 1000:.0f} ms = "
          f"{figures['second_exit'] / bare_exit:.2f} x the bare window's whole run; exit after live rows "
          f"{(figures['second_exit'] - figures['second_live']) * 1000:.0f} ms (target: stated)")
    print(f"first start, whole run to exit: {figures['first_exit'] * 1000:.0f} ms = "
          f"{figures['first_exit'] / bare_exit:.2f} x the bare window's whole run (target: stated)")
    p95 = panel_switching()
    print(f"panel switch p95: {p95:.1f} ms (target: ≤ 20)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
