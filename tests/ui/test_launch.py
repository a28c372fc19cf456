"""`python -m app --exit-after-load` as a real process: first run on the bundled sandbox, data shown, exit 0;
the sandbox outlives the console and the next run opens on it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from app.core.sandbox_state import read_state
from app.ui.launch import CACHED_ROWS_LINE, LIVE_PREVIEW_LINE, LIVE_ROWS_LINE
from tests.core.sandbox_cleanup import no_sandbox_left_fixture  # noqa: F401  (fixture)
from tests.ui.shell_harness import XDG_NAMES
from tests.waiting import wait_until_sync

ROOT = Path(__file__).resolve().parents[2]


def _run(home: Path, *args: str, timeout: float = 150) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for name in XDG_NAMES:
        env[name] = str(home / name.lower())
    # A headless child has no keychain: the console must still open (session-only key).
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _answers(url) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((url.hostname, url.port)) == 0


def test_exit_after_load_opens_the_sandbox_with_data_and_exits_cleanly(no_sandbox_left, tmp_path):
    shot = tmp_path / "window.png"
    first = _run(tmp_path, "--exit-after-load", "--screenshot", str(shot))
    assert first.returncode == 0, first.stderr[-3000:]
    assert shot.exists() and shot.stat().st_size > 10_000
    profiles = json.loads((tmp_path / "xdg_config_home" / "Opsdesk" / "profiles.json").read_text())
    assert [p["name"] for p in profiles["profiles"] if p.get("platform", "opsdesk") == "opsdesk"] == [
        "Local sandbox", "Local sandbox (live)"]
    assert all(p["name"].startswith("Local sandbox · ") for p in profiles["profiles"] if p["platform"] != "opsdesk")
    key = json.loads((tmp_path / "xdg_data_home" / "Opsdesk" / "sandbox" / "credentials.json").read_text())
    secret = key["test"]["owner_key"]
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".json" and "sandbox" not in path.parts:
            assert secret.encode() not in path.read_bytes(), path
    assert first.stdout.splitlines()[-1].startswith(LIVE_ROWS_LINE.split("{")[0]), first.stdout
    # The sandbox outlives the console: the next start connects to it at once.
    url = urlsplit(profiles["profiles"][0]["base_url"])
    state = read_state(tmp_path / "xdg_data_home" / "Opsdesk" / "sandbox")
    assert _answers(url) and state is not None and state.port == url.port, "the console's exit stopped the sandbox"
    second = _run(tmp_path, "--exit-after-load", "--profile", "Local sandbox")
    assert second.returncode == 0, second.stderr[-3000:]
    # A returning user sees the cached contacts first, then the live rows, from the same sandbox.
    lines = second.stdout.splitlines()
    assert lines[0].startswith(CACHED_ROWS_LINE.split("{")[0]), lines
    assert lines[-1].startswith(LIVE_ROWS_LINE.split("{")[0]), lines
    # The server's newest contacts may reach the preview first (when they come before the panel does).
    assert all(0 < index < len(lines) - 1 for index, line in enumerate(lines)
               if line.startswith(LIVE_PREVIEW_LINE.split("{")[0])), lines
    assert read_state(tmp_path / "xdg_data_home" / "Opsdesk" / "sandbox").pid == state.pid, "a new sandbox started"


def test_an_unknown_profile_is_refused_with_a_clear_message(tmp_path):
    result = _run(tmp_path, "--exit-after-load", "--profile", "Nope")
    assert result.returncode == 1
    assert "There is no profile named 'Nope'" in result.stderr


def test_sigterm_closes_the_console_cleanly_and_leaves_the_sandbox_running(no_sandbox_left, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    for name in XDG_NAMES:
        env[name] = str(tmp_path / name.lower())
    profiles_file = tmp_path / "xdg_config_home" / "Opsdesk" / "profiles.json"
    console = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_until_sync(profiles_file.exists, 120, "the first run never created its profile")
        url = urlsplit(json.loads(profiles_file.read_text())["profiles"][0]["base_url"])
        wait_until_sync(lambda: _answers(url), 60, "the sandbox never answered")
        console.send_signal(signal.SIGTERM)
        assert console.wait(30) == 0, console.stderr.read()[-3000:]
        assert _answers(url), "the sandbox stopped with the console"
    finally:
        if console.poll() is None:
            console.kill()
            console.wait()


def test_the_console_process_skips_httpx_cli_and_keeps_pyside6_module_classification():
    """The start-up import savings change nothing a module can see: httpx works (its `main` is the stub
    saying what to install), rich is never imported, and PySide6 still tells a module that uses it
    from one that does not, exactly as its own check does."""
    probe = (
        "import sys\n"
        "import app.__main__\n"
        "app.__main__.skip_httpx_cli()\n"
        "import app.ui.launch\n"
        "feature = sys.modules['shibokensupport.feature']\n"
        "import httpx, app.ui.shell.main_window, app.core.paths, json\n"
        "own = feature._mod_uses_pyside.__closure__[0].cell_contents\n"
        "for name in ('app.ui.shell.main_window', 'app.core.paths', 'json', 'sys'):\n"
        "    module = sys.modules[name]\n"
        "    print(name, feature._mod_uses_pyside(module), own(module))\n"
        "print('rich' in sys.modules, httpx.AsyncClient is not None, httpx.main.__module__)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=True)
    lines = result.stdout.splitlines()
    assert lines[:4] == ["app.ui.shell.main_window True True", "app.core.paths False False", "json False False",
                         "sys False False"], result.stdout
    assert lines[4] == "False True httpx", result.stdout
