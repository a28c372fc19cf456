"""A sandbox whose parent is killed stops by itself: a crashed console leaves no server behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.waiting import wait_until_sync


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for the user's purposes: it holds no port and no database.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def test_killing_the_console_process_stops_its_sandbox_child(tmp_path: Path) -> None:
    parent_script = textwrap.dedent(f"""
        import sys, threading
        from app.core.sandbox_process import SandboxProcess
        sandbox = SandboxProcess.start({str(tmp_path / "data")!r}, seed_size=10)
        print(sandbox.pid, sandbox.url, flush=True)
        threading.Event().wait()
    """)
    parent = subprocess.Popen([sys.executable, "-c", parent_script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    try:
        child_pid_text, _url = parent.stdout.readline().split()
        child_pid = int(child_pid_text)
        assert _alive(child_pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        wait_until_sync(lambda: not _alive(child_pid), timeout=20,
                        message="the sandbox outlived the console that started it")
    finally:
        if parent.poll() is None:
            parent.kill()
    log = (tmp_path / "data" / "sandbox.stderr.log").read_text()
    assert "parent process" in log and "exited" in log, "the sandbox says why it stopped"
